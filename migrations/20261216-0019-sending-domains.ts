// Sending domains (each with its DKIM key, the private half encrypted) and sender identities on them; a mailing
// names the identity it sends as (null: MAIL_FROM, as before). A domain with no owner is for everyone (admin's).
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.createTable(
      'sending_domains',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        owner_id: {
          type: DataTypes.INTEGER,
          allowNull: true,
          references: { model: 'users', key: 'id' },
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
        },
        name: { type: DataTypes.STRING(253), allowNull: false },
        dkim_selector: { type: DataTypes.STRING(63), allowNull: false },
        dkim_public_key: { type: DataTypes.TEXT, allowNull: false },
        dkim_private_key_encrypted: { type: DataTypes.TEXT, allowNull: false },
        ed25519_selector: { type: DataTypes.STRING(63), allowNull: true },
        ed25519_public_key: { type: DataTypes.TEXT, allowNull: true },
        ed25519_private_key_encrypted: { type: DataTypes.TEXT, allowNull: true },
        verified_at: { type: DataTypes.DATE, allowNull: true },
        checked_at: { type: DataTypes.DATE, allowNull: true },
        check_result: { type: DataTypes.TEXT, allowNull: true },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    // One row per domain name across the service: a domain proves itself once, to one account.
    await queryInterface.addIndex('sending_domains', ['name'], {
      name: 'sending_domains_name',
      unique: true,
      transaction,
    });
    await queryInterface.addIndex('sending_domains', ['owner_id'], { name: 'sending_domains_owner', transaction });
    await queryInterface.createTable(
      'sender_identities',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        owner_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'users', key: 'id' },
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
        },
        domain_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'sending_domains', key: 'id' },
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
        },
        display_name: { type: DataTypes.STRING(100), allowNull: false },
        from_address: { type: DataTypes.STRING(254), allowNull: false },
        reply_to: { type: DataTypes.STRING(254), allowNull: true },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await queryInterface.addIndex('sender_identities', ['owner_id'], { name: 'sender_identities_owner', transaction });
    await queryInterface.addIndex('sender_identities', ['domain_id'], {
      name: 'sender_identities_domain',
      transaction,
    });
    // A plain column, no foreign key (identities.service clears it when an identity goes): SQLite can add and drop
    // it in place, where Sequelize would rebuild the mailings table, and dropping that table cascades to every run.
    await sequelize.query('ALTER TABLE mailings ADD COLUMN sender_identity_id INTEGER', { transaction });
  });
}

export async function down({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await sequelize.query('ALTER TABLE mailings DROP COLUMN sender_identity_id', { transaction });
    await queryInterface.dropTable('sender_identities', { transaction });
    await queryInterface.dropTable('sending_domains', { transaction });
  });
}
