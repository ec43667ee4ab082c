// The migration files and the table that records them: the names both the Umzug-free check (migrations.ts) and
// Umzug itself (migrator.ts) go by.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
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
export async function migrationNames(): Promise<string[]> {
  const files = await readdir(path.join(PROJECT_ROOT, MIGRATIONS_DIR));
  return files
    .filter((file) => file.endsWith(MIGRATION_EXTENSION))
    .map(migrationName)
    .sort();
}
