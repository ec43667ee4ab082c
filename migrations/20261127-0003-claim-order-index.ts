// A claim takes a run's pending deliveries in id order. On PostgreSQL an index on (run_id, status) keeps equal
// keys in heap order, so the planner walked the primary key instead and filtered out every delivery already
// done: a claim cost grew with the run's progress (12 ms halfway through 100,000). With id as the index's
// last column the claim reads only pending rows, already in order. SQLite's indexes end with the rowid anyway.
import type { MigrationContext } from '../src/db/migrator.js';

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.addIndex('deliveries', ['run_id', 'status', 'id'], {
      name: 'deliveries_run_status_id',
      transaction,
    });
    await queryInterface.removeIndex('deliveries', 'deliveries_run_status', { transaction });
  });
}

export async function down({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await queryInterface.addIndex('deliveries', ['run_id', 'status'], { name: 'deliveries_run_status', transaction });
    await queryInterface.removeIndex('deliveries', 'deliveries_run_status_id', { transaction });
  });
}
