// A background import's heartbeat: the process running it writes `heartbeat_at` (with the progress counts) every
// quarter of a second, outside the import's own transaction, so that every web process reads how far it has come
// and any process can tell a dead import (its process killed) from a live one: one whose heartbeat is older than
// CLIENT_IMPORT_STALE_SECONDS is marked failed (nothing of it was kept: its transaction died with it). Imports
// already queued or running start from their last update.
import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

export async function up({ context: { queryInterface, sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    const column = { type: DataTypes.DATE, allowNull: true };
    await queryInterface.addColumn('client_imports', 'heartbeat_at', column, { transaction });
    await sequelize.query('UPDATE client_imports SET heartbeat_at = updated_at', { transaction });
  });
}

export async function down({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  // Plain SQL on both: Sequelize's removeColumn rebuilds an SQLite table and loses its definition's details.
  await sequelize.query('ALTER TABLE client_imports DROP COLUMN heartbeat_at');
}
