// Runs are named to users by their number within the mailing ("Run #3 of Newsletter"), not by the global id. The
// number is stored, not computed: a computed rank would change when a missed scheduled run is created after a
// "send now" one, and a name a user has seen must not change. Existing runs are numbered in the order they were
// scheduled (then created); the unique key makes a second run with the same number fail instead of passing.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    const column = { type: DataTypes.INTEGER, allowNull: true };
    await queryInterface.addColumn('mailing_runs', 'number', column, { transaction });
    // A correlated count rather than a window function: the same statement on both databases, every version.
    await sequelize.query(
      `UPDATE mailing_runs SET number = (
         SELECT COUNT(*) FROM mailing_runs earlier
         WHERE earlier.mailing_id = mailing_runs.mailing_id
           AND (earlier.scheduled_at < mailing_runs.scheduled_at
             OR (earlier.scheduled_at = mailing_runs.scheduled_at AND earlier.id <= mailing_runs.id)))`,
      { transaction },
    );
    await queryInterface.addIndex('mailing_runs', ['mailing_id', 'number'], {
      name: 'mailing_runs_number_per_mailing',
      unique: true,
      transaction,
    });
  });
}

export async function down({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await sequelize.query('DROP INDEX mailing_runs_number_per_mailing', { transaction });
    // Plain SQL on both: Sequelize's removeColumn rebuilds an SQLite table and loses its definition's details.
    await sequelize.query('ALTER TABLE mailing_runs DROP COLUMN number', { transaction });
  });
}
