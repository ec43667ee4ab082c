// A test send: one message to one of its owner's own addresses, logged apart from mailings' runs (migration 0012).
import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { DELIVERY_STATUSES, type DeliveryStatus } from './delivery.js';

export class TestSend extends Model<InferAttributes<TestSend>, InferCreationAttributes<TestSend>> {
  declare id: CreationOptional<number>;
  declare userId: ForeignKey<number>;
  /** Null once the message is deleted: the row still counts towards its owner's hourly limit. */
  declare messageId: ForeignKey<number | null>;
  declare address: string;
  /** The delivery log's statuses: pending, sending (claimed by a worker), sent, failed, unknown. */
  declare status: CreationOptional<DeliveryStatus>;
  declare reply: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare attemptedAt: CreationOptional<Date | null>;

  /** Binds the model to a connection (called once per process by initModels). */
  static initModel(sequelize: Sequelize): void {
    TestSend.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        address: { type: DataTypes.STRING(254), allowNull: false },
        status: {
          type: DataTypes.STRING(20),
          allowNull: false,
          defaultValue: 'pending',
          validate: { isIn: [DELIVERY_STATUSES] },
        },
        reply: { type: DataTypes.TEXT, allowNull: true },
        createdAt: DataTypes.DATE,
        attemptedAt: { type: DataTypes.DATE, allowNull: true },
      },
      { sequelize, tableName: 'test_sends', modelName: 'TestSend', updatedAt: false },
    );
  }
}
