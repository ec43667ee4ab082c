// A claimed delivery is reserved, not yet on the wire: the worker marks the moment it hands a delivery to
// the SMTP server (`attempt_started_at`, written in the same statement that logs the lane's previous
// outcome). When a worker dies, the reaper can then tell the few deliveries whose SMTP conversation had
// begun (those become `unknown`) from the rest of its claims, which go back to `pending` and are sent by
// somebody else. The attempt is counted at the mark, not at the claim.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

export async function up({ context: { queryInterface } }: { context: MigrationContext }): Promise<void> {
  await queryInterface.addColumn('deliveries', 'attempt_started_at', { type: DataTypes.DATE, allowNull: true });
}

export async function down({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  // Plain SQL on both: Sequelize's removeColumn rebuilds an SQLite table and loses its definition's details.
  await sequelize.query('ALTER TABLE deliveries DROP COLUMN attempt_started_at');
}
