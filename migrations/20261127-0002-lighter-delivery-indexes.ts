// Fewer index writes per delivery update: the reaper's lookup becomes a partial index over rows being
// sent, and the (status, next_attempt_at) index goes (claims and retries search by run and status).
import type { MigrationContext } from '../src/db/migrator.js';

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.removeIndex('deliveries', 'deliveries_due', { transaction });
    await queryInterface.removeIndex('deliveries', 'deliveries_lease', { transaction });
    await sequelize.query(
      "CREATE INDEX deliveries_sending_lease ON deliveries (lease_expires_at) WHERE status = 'sending'",
      {
        transaction,
      },
    );
  });
}

export async function down({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.removeIndex('deliveries', 'deliveries_sending_lease', { transaction });
    await queryInterface.addIndex('deliveries', ['status', 'next_attempt_at'], { name: 'deliveries_due', transaction });
    await queryInterface.addIndex('deliveries', ['status', 'lease_expires_at'], {
      name: 'deliveries_lease',
      transaction,
    });
  });
}
