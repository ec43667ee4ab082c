// The mailing log: one row per run and recipient, updated on every attempt with the SMTP server's reply.
import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** `bounced` and `complained` are set after `sent`, when a bounce or a complaint comes back (src/delivery/feedback.ts). */
export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed', 'unknown', 'bounced', 'complained'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export class Delivery extends Model<InferAttributes<Delivery>, InferCreationAttributes<Delivery>> {
  declare id: CreationOptional<number>;
  declare runId: ForeignKey<number>;
  declare clientId: ForeignKey<number> | null;
  declare email: string;
  declare fullName: CreationOptional<string>;
  declare status: CreationOptional<DeliveryStatus>;
  declare attemptCount: CreationOptional<number>;
  declare lastAttemptAt: CreationOptional<Date | null>;
  declare nextAttemptAt: CreationOptional<Date | null>;
  declare smtpResponse: CreationOptional<string | null>;
  declare errorClass: CreationOptional<string | null>;
  declare smtpMessageId: CreationOptional<string | null>;
  declare leaseOwner: CreationOptional<string | null>;
  declare leaseExpiresAt: CreationOptional<Date | null>;
  /** Set while the delivery is handed to the SMTP server (its outcome not yet logged): what a crash leaves unknown. */
  declare attemptStartedAt: CreationOptional<Date | null>;
  declare sentAt: CreationOptional<Date | null>;
  /** What a bounce or complaint said of this delivery (its status, diagnostic, where it came from). */
  declare feedback: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  /** Binds the model to a connection (called once per process by initModels). */
  static initModel(sequelize: Sequelize): void {
    Delivery.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        email: { type: DataTypes.STRING(254), allowNull: false },
        fullName: { type: DataTypes.STRING(200), allowNull: false, defaultValue: '' },
        status: {
          type: DataTypes.STRING(10),
          allowNull: false,
          defaultValue: 'pending',
          validate: { isIn: [DELIVERY_STATUSES] },
        },
        attemptCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        lastAttemptAt: { type: DataTypes.DATE, allowNull: true },
        nextAttemptAt: { type: DataTypes.DATE, allowNull: true },
        smtpResponse: { type: DataTypes.TEXT, allowNull: true },
        errorClass: { type: DataTypes.STRING(40), allowNull: true },
        smtpMessageId: { type: DataTypes.STRING(300), allowNull: true },
        leaseOwner: { type: DataTypes.STRING(100), allowNull: true },
        leaseExpiresAt: { type: DataTypes.DATE, allowNull: true },
        attemptStartedAt: { type: DataTypes.DATE, allowNull: true },
        sentAt: { type: DataTypes.DATE, allowNull: true },
        feedback: { type: DataTypes.TEXT, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'deliveries', modelName: 'Delivery' },
    );
  }
}
