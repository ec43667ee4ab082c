// An account: customers (`user`), managers, content managers and admins share one table.
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
import { keepSearchText } from '../search-text.js';
import { normaliseEmail, storableEmailValidator } from './email.js';

export const USER_ROLES = ['user', 'manager', 'content_manager', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const LANGUAGES = ['en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  declare email: string;
  declare passwordHash: string;
  declare fullName: CreationOptional<string>;
  declare role: CreationOptional<UserRole>;
  declare isBlocked: CreationOptional<boolean>;
  declare blockedAt: CreationOptional<Date | null>;
  declare blockedById: ForeignKey<number> | null;
  declare blockedReason: CreationOptional<string | null>;
  declare emailVerifiedAt: CreationOptional<Date | null>;
  declare timeZone: string;
  declare language: CreationOptional<Language>;
  /** E-mail and name folded for the managers' search (src/db/search-text.ts), kept by the model's hooks. */
  declare searchText: CreationOptional<string>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  declare blockedBy?: NonAttribute<User | null>;

  /** Binds the model to a connection (called once per process by initModels). */
  static initModel(sequelize: Sequelize): void {
    User.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        email: {
          type: DataTypes.STRING(254),
          allowNull: false,
          validate: storableEmailValidator,
          set(value: string) {
            this.setDataValue('email', normaliseEmail(value));
          },
        },
        passwordHash: { type: DataTypes.STRING(100), allowNull: false },
        fullName: { type: DataTypes.STRING(200), allowNull: false, defaultValue: '' },
        role: { type: DataTypes.STRING(20), allowNull: false, defaultValue: 'user', validate: { isIn: [USER_ROLES] } },
        isBlocked: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        blockedAt: { type: DataTypes.DATE, allowNull: true },
        blockedReason: { type: DataTypes.STRING(500), allowNull: true },
        emailVerifiedAt: { type: DataTypes.DATE, allowNull: true },
        timeZone: { type: DataTypes.STRING(64), allowNull: false },
        language: { type: DataTypes.STRING(5), allowNull: false, defaultValue: 'en', validate: { isIn: [LANGUAGES] } },
        searchText: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'users', modelName: 'User' },
    );
    keepSearchText(User, ['email', 'fullName']);
  }
}
