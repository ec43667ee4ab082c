// A mailing: which message goes to which clients, from when until when, and how often.
import {
  DataTypes,
  type BelongsToManyCountAssociationsMixin,
  type BelongsToManyGetAssociationsMixin,
  type BelongsToManySetAssociationsMixin,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
} from 'sequelize';
import { keepSearchText } from '../search-text.js';
import type { Client } from './client.js';
import type { Message } from './message.js';
import type { User } from './user.js';

export const PERIODICITIES = ['once', 'daily', 'weekly', 'monthly'] as const;
export type Periodicity = (typeof PERIODICITIES)[number];
export const MAILING_STATUSES = ['created', 'running', 'completed'] as const;
export type MailingStatus = (typeof MAILING_STATUSES)[number];

export class Mailing extends Model<InferAttributes<Mailing>, InferCreationAttributes<Mailing>> {
  declare id: CreationOptional<number>;
  declare ownerId: ForeignKey<number>;
  declare messageId: ForeignKey<number>;
  declare name: string;
  declare startAt: Date;
  declare endAt: Date;
  declare periodicity: Periodicity;
  declare timeZone: string;
  /** Every client of the owner at each run (not unsubscribed), instead of the chosen ones (mailing_clients). */
  declare allClients: CreationOptional<boolean>;
  declare status: CreationOptional<MailingStatus>;
  declare isDisabled: CreationOptional<boolean>;
  declare disabledAt: CreationOptional<Date | null>;
  declare disabledById: ForeignKey<number> | null;
  /** The identity it sends as (migration 0019); null: MAIL_FROM. */
  declare senderIdentityId: CreationOptional<number | null>;
  declare disabledReason: CreationOptional<string | null>;
  declare nextRunAt: CreationOptional<Date | null>;
  /** The name folded for search (src/db/search-text.ts), kept by the model's hooks. */
  declare searchText: CreationOptional<string>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  declare getClients: BelongsToManyGetAssociationsMixin<Client>;
  declare setClients: BelongsToManySetAssociationsMixin<Client, number>;
  declare countClients: BelongsToManyCountAssociationsMixin;

  declare message?: NonAttribute<Message>;
  declare owner?: NonAttribute<User>;
  declare disabledBy?: NonAttribute<User | null>;

  /** Binds the model to a connection (called once per process by initModels). */
  static initModel(sequelize: Sequelize): void {
    Mailing.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        name: { type: DataTypes.STRING(200), allowNull: false, validate: { notEmpty: true } },
        startAt: { type: DataTypes.DATE, allowNull: false },
        endAt: { type: DataTypes.DATE, allowNull: false },
        periodicity: { type: DataTypes.STRING(10), allowNull: false, validate: { isIn: [PERIODICITIES] } },
        timeZone: { type: DataTypes.STRING(64), allowNull: false },
        allClients: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        status: {
          type: DataTypes.STRING(10),
          allowNull: false,
          defaultValue: 'created',
          validate: { isIn: [MAILING_STATUSES] },
        },
        isDisabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        disabledAt: { type: DataTypes.DATE, allowNull: true },
        disabledReason: { type: DataTypes.STRING(500), allowNull: true },
        nextRunAt: { type: DataTypes.DATE, allowNull: true },
        senderIdentityId: { type: DataTypes.INTEGER, allowNull: true },
        searchText: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      {
        sequelize,
        tableName: 'mailings',
        modelName: 'Mailing',
        validate: {
          endsAfterItStarts(this: Mailing) {
            if (this.startAt && this.endAt && this.endAt.getTime() <= this.startAt.getTime()) {
              throw new Error('endAt must be after startAt');
            }
          },
        },
      },
    );
    keepSearchText(Mailing, ['name']);
  }
}
