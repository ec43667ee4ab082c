// The letter a mailing sends: a subject and a body in plain text, optionally also in HTML.
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
import { LANGUAGES, type Language, type User } from './user.js';
import { keepSearchText } from '../search-text.js';

export class Message extends Model<InferAttributes<Message>, InferCreationAttributes<Message>> {
  declare id: CreationOptional<number>;
  declare ownerId: ForeignKey<number>;
  declare subject: string;
  declare bodyText: string;
  declare bodyHtml: CreationOptional<string | null>;
  /** The language of what the e-mail adds to the user's text: its footer and the unsubscribe pages it links to. */
  declare language: CreationOptional<Language>;
  /** The subject folded for search (src/db/search-text.ts), kept by the model's hooks. */
  declare searchText: CreationOptional<string>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  declare owner?: NonAttribute<User>;

  /** Binds the model to a connection (called once per process by initModels). */
  static initModel(sequelize: Sequelize): void {
    Message.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        subject: { type: DataTypes.STRING(300), allowNull: false, validate: { notEmpty: true } },
        bodyText: { type: DataTypes.TEXT, allowNull: false },
        bodyHtml: { type: DataTypes.TEXT, allowNull: true },
        language: {
          type: DataTypes.STRING(5),
          allowNull: false,
          defaultValue: 'en',
          validate: { isIn: [LANGUAGES] },
        },
        searchText: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'messages', modelName: 'Message' },
    );
    keepSearchText(Message, ['subject']);
  }
}
