// Which migrations there are and which the database has, read without Umzug, and `migrateUp`: every command
// migrates at start, and a database that is up to date (the usual case) should not cost `send` and `daemon`
// Umzug and its command-line parser (~24 MB of modules); only a database with a pending migration loads them.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import { QueryTypes, type Sequelize } from 'sequelize';
import { PROJECT_ROOT } from '../config.js';

/** What a migration may need besides the connection: the few that move files (0021) read UPLOAD_DIR. */
export interface MigrationOptions {
  /** UPLOAD_DIR; absent, a migration that moves files moves none (and says so through the logger). */
  uploadDir?: string;
  /** Where a migration reports what it left as it was (absent: nowhere). */
  logger?: Logger;
}

/** Where the migrations are: the .ts sources under tsx, their .js copies when running from build/. */
const FROM_BUILD = import.meta.url.endsWith('.js');
const MIGRATIONS_DIR = FROM_BUILD ? 'build/migrations' : 'migrations';
const MIGRATION_EXTENSION = FROM_BUILD ? '.js' : '.ts';

/** The migration files, relative to the project root, as a glob (for Umzug). */
export const MIGRATIONS_GLOB = `${MIGRATIONS_DIR}/*${MIGRATION_EXTENSION}`;

/** The table Umzug records applied migrations in (its SequelizeStorage: one `name` column). */
export const MIGRATIONS_TABLE = 'schema_migrations';

/** A migration's name: its file name without the extension (the same for the .ts source and its .js build). */
export function migrationName(file: string): string {
  return path.basename(file).replace(/\.[jt]s$/, '');
}

/** The names of the migration files there are, in name order. */
async function migrationNames(): Promise<string[]> {
  const files = await readdir(path.join(PROJECT_ROOT, MIGRATIONS_DIR));
  return files
    .filter((file) => file.endsWith(MIGRATION_EXTENSION))
    .map(migrationName)
    .sort();
}

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
