// Which migrations there are and which the database has, read without Umzug, and `migrateUp`: every command
// migrates at start, and a database that is up to date (the usual case) should not cost `send` and `daemon`
// Umzug and its command-line parser (~24 MB of modules); only a database with a pending migration loads them.
import { QueryTypes, type Sequelize } from 'sequelize';
import { MIGRATIONS_TABLE, migrationNames, type MigrationOptions } from './migration-files.js';

export type { MigrationOptions } from './migration-files.js';

/** The migrations the database does not have yet, by name, in order (all of them when it has no table yet). */
export async function pendingMigrations(sequelize: Sequelize): Promise<string[]> {
  const files = await migrationNames();
  if (!(await sequelize.getQueryInterface().tableExists(MIGRATIONS_TABLE))) return files;
  const rows = await sequelize.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`, {
    type: QueryTypes.SELECT,
  });
  const applied = new Set(rows.map((row) => row.name));
  return files.filter((name) => !applied.has(name));
}

/** Applies every pending migration and returns their names (none, without loading Umzug, when up to date). */
export async function migrateUp(sequelize: Sequelize, options: MigrationOptions = {}): Promise<string[]> {
  if ((await pendingMigrations(sequelize)).length === 0) return [];
  const { createMigrator } = await import('./migrator.js');
  const applied = await createMigrator(sequelize, options).up();
  return applied.map((m) => m.name);
}
