// A sending domain: a DKIM key per domain (private half encrypted, migration 0019), verified once DNS says so.
import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';

export class SendingDomain extends Model<InferAttributes<SendingDomain>, InferCreationAttributes<SendingDomain>> {
  declare id: CreationOptional<number>;
  /** Null: configured by an admin for every account. */
  declare ownerId: ForeignKey<number | null>;
  /** Lower-case ASCII (an internationalized name in punycode). */
  declare name: string;
  declare dkimSelector: string;
  /** Base64 SPKI DER, as the DNS record's p= carries it. */
  declare dkimPublicKey: string;
  /** AES-256-GCM of the PEM private key (src/delivery/dkim-keys.ts); never shown, never logged. */
  declare dkimPrivateKeyEncrypted: string;
  declare ed25519Selector: CreationOptional<string | null>;
  declare ed25519PublicKey: CreationOptional<string | null>;
  declare ed25519PrivateKeyEncrypted: CreationOptional<string | null>;
  declare verifiedAt: CreationOptional<Date | null>;
  declare checkedAt: CreationOptional<Date | null>;
  /** The last check's states per record, as JSON (src/domains/dns-check.ts). */
  declare checkResult: CreationOptional<string | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  /** Binds the model to a connection (called once per process by initModels). */
  static initModel(sequelize: Sequelize): void {
    SendingDomain.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        name: { type: DataTypes.STRING(253), allowNull: false },
        dkimSelector: { type: DataTypes.STRING(63), allowNull: false },
        dkimPublicKey: { type: DataTypes.TEXT, allowNull: false },
        dkimPrivateKeyEncrypted: { type: DataTypes.TEXT, allowNull: false },
        ed25519Selector: { type: DataTypes.STRING(63), allowNull: true },
        ed25519PublicKey: { type: DataTypes.TEXT, allowNull: true },
        ed25519PrivateKeyEncrypted: { type: DataTypes.TEXT, allowNull: true },
        verifiedAt: { type: DataTypes.DATE, allowNull: true },
        checkedAt: { type: DataTypes.DATE, allowNull: true },
        checkResult: { type: DataTypes.TEXT, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      {
        sequelize,
        tableName: 'sending_domains',
        modelName: 'SendingDomain',
        // The encrypted keys stay out of every read that does not ask for them by name.
        defaultScope: { attributes: { exclude: ['dkimPrivateKeyEncrypted', 'ed25519PrivateKeyEncrypted'] } },
        scopes: { withKeys: {} },
      },
    );
  }
}
