// A recipient in a customer's address book.
import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { keepSearchText } from '../search-text.js';
import { normaliseEmail, storableEmailValidator } from './email.js';

export class Client extends Model<InferAttributes<Client>, InferCreationAttributes<Client>> {
  declare id: CreationOptional<number>;
  declare ownerId: ForeignKey<number>;
  declare email: string;
  declare fullName: CreationOptional<string>;
  declare comment: CreationOptional<string>;
  declare unsubscribedAt: CreationOptional<Date | null>;
  /** E-mail, name and comment folded for search (src/db/search-text.ts), kept by the model's hooks. */
  declare searchText: CreationOptional<string>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  /** Binds the model to a connection (called once per process by initModels). */
  static initModel(sequelize: Sequelize): void {
    Client.init(
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
        fullName: { type: DataTypes.STRING(200), allowNull: false, defaultValue: '' },
        comment: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
        unsubscribedAt: { type: DataTypes.DATE, allowNull: true },
        searchText: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'clients', modelName: 'Client' },
    );
    keepSearchText(Client, ['email', 'fullName', 'comment']);
  }
}
