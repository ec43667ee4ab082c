// An address an owner's mailings never go to again, and why (migration 0020; src/delivery/suppressions.ts writes it).
import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

/** Why an address is suppressed; a complaint can be removed by an admin only. */
export const SUPPRESSION_REASONS = ['hard_bounce', 'soft_bounces', 'complaint', 'unsubscribed', 'manual'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/**
 * What reported it: the bounce listener, a provider's webhook, the SMTP reply while sending, the recipient's own
 * unsubscribe link, a person (by hand), or a person's CSV file.
 */
export const SUPPRESSION_SOURCES = ['listener', 'ses', 'mailgun', 'smtp', 'unsubscribe', 'manual', 'csv'] as const;
export type SuppressionSource = (typeof SUPPRESSION_SOURCES)[number];

export class Suppression extends Model<InferAttributes<Suppression>, InferCreationAttributes<Suppression>> {
  declare id: CreationOptional<number>;
  declare ownerId: ForeignKey<number>;
  declare address: string;
  declare reason: SuppressionReason;
  declare source: SuppressionSource;
  declare deliveryId: CreationOptional<number | null>;
  declare diagnostic: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;

  /** Binds the model to a connection (called once per process by initModels). */
  static initModel(sequelize: Sequelize): void {
    Suppression.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        address: { type: DataTypes.STRING(254), allowNull: false },
        reason: { type: DataTypes.STRING(20), allowNull: false, validate: { isIn: [SUPPRESSION_REASONS] } },
        source: { type: DataTypes.STRING(20), allowNull: false, validate: { isIn: [SUPPRESSION_SOURCES] } },
        deliveryId: { type: DataTypes.INTEGER, allowNull: true },
        diagnostic: { type: DataTypes.TEXT, allowNull: true },
        createdAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'suppressions', modelName: 'Suppression', updatedAt: false },
    );
  }
}
