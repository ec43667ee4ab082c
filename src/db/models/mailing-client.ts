// The clients a mailing is addressed to (many-to-many).
import {
  DataTypes,
  Model,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export class MailingClient extends Model<InferAttributes<MailingClient>, InferCreationAttributes<MailingClient>> {
  declare mailingId: ForeignKey<number>;
  declare clientId: ForeignKey<number>;

  /** Binds the model to a connection (called once per process by initModels). */
  static initModel(sequelize: Sequelize): void {
    MailingClient.init(
      {
        mailingId: { type: DataTypes.INTEGER, primaryKey: true },
        clientId: { type: DataTypes.INTEGER, primaryKey: true },
      },
      { sequelize, tableName: 'mailing_clients', modelName: 'MailingClient', timestamps: false },
    );
  }
}
