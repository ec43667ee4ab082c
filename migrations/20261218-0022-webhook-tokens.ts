// The provider webhooks' replay guard: each signed call's one-time token (Mailgun's `signature.token`), kept for
// as long as its timestamp would still be accepted, so that a call seen once is refused the second time by every
// web process on the database alike (src/webhooks/webhook-tokens.ts).
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.createTable(
      'webhook_tokens',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        provider: { type: DataTypes.STRING(20), allowNull: false },
        token: { type: DataTypes.STRING(200), allowNull: false },
        received_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await queryInterface.addIndex('webhook_tokens', ['provider', 'token'], {
      name: 'webhook_tokens_provider_token',
      unique: true,
      transaction,
    });
    // Old tokens are deleted by age at each new one.
    await queryInterface.addIndex('webhook_tokens', ['received_at'], { name: 'webhook_tokens_received', transaction });
  });
}

export async function down({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.dropTable('webhook_tokens', { transaction });
  });
}
