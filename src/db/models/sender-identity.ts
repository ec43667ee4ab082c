// A sender identity: the From (display name and address on a sending domain) and Reply-To a mailing sends as.
import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
} from 'sequelize';
import type { SendingDomain } from './sending-domain.js';

export class SenderIdentity extends Model<InferAttributes<SenderIdentity>, InferCreationAttributes<SenderIdentity>> {
  declare id: CreationOptional<number>;
  declare ownerId: ForeignKey<number>;
  declare domainId: ForeignKey<number>;
  declare displayName: string;
  declare fromAddress: string;
  declare replyTo: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  declare domain?: NonAttribute<SendingDomain>;

  /** Binds the model to a connection (called once per process by initModels). */
  static initModel(sequelize: Sequelize): void {
    SenderIdentity.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        displayName: { type: DataTypes.STRING(100), allowNull: false },
        fromAddress: { type: DataTypes.STRING(254), allowNull: false },
        replyTo: { type: DataTypes.STRING(254), allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'sender_identities', modelName: 'SenderIdentity' },
    );
  }
}
