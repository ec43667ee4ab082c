// Applies the schema migrations in migrations/ (Umzug), recording them in the schema_migrations table.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { QueryInterface, Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { PROJECT_ROOT } from '../config.js';
import type { Logger } from '../logger.js';

/** What a migration may need besides the connection: the few that move files (0021) read UPLOAD_DIR. */
export interface MigrationOptions {
  /** UPLOAD_DIR; absent, a migration that moves files moves none (and says so through the logger). */
  uploadDir?: string;
  /** Where a migration reports what it left as it was (absent: nowhere). */
  logger?: Logger;
}

export interface MigrationContext extends MigrationOptions {
  queryInterface: QueryInterface;
  sequelize: Sequelize;
}

type MigrationFn = (params: { context: MigrationContext }) => Promise<void>;

/** Where the migrations to load are: the .ts sources under tsx, their .js copies when running from build/. */
const FROM_BUILD = import.meta.url.endsWith('.js');
const MIGRATIONS_GLOB = FROM_BUILD ? 'build/migrations/*.js' : 'migrations/*.ts';

/** Builds the migrator for a connection; migrations are the files in migrations/, in name order. */
export function createMigrator(sequelize: Sequelize, options: MigrationOptions = {}): Umzug<MigrationContext> {
  return new Umzug<MigrationContext>({
    migrations: {
      glob: [MIGRATIONS_GLOB, { cwd: PROJECT_ROOT }],
      resolve: ({ name, path: file, context }) => {
        const load = async (): Promise<{ up: MigrationFn; down: MigrationFn }> =>
          (await import(pathToFileURL(path.resolve(PROJECT_ROOT, file ?? name)).href)) as {
            up: MigrationFn;
            down: MigrationFn;
          };
        return {
          name: path.basename(name).replace(/\.[jt]s$/, ''),
          up: async () => (await load()).up({ context }),
          down: async () => (await load()).down({ context }),
        };
      },
    },
    context: { ...options, queryInterface: sequelize.getQueryInterface(), sequelize },
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migrations' }),
    logger: undefined,
  });
}

/** Applies every pending migration and returns their names. */
export async function migrateUp(sequelize: Sequelize, options: MigrationOptions = {}): Promise<string[]> {
  const applied = await createMigrator(sequelize, options).up();
  return applied.map((m) => m.name);
}
