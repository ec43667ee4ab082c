// The schema migrations in migrations/ as an Umzug migrator (apply, undo, list), recording them in the
// schema_migrations table. `migrateUp` (migrations.ts) loads this module only when a migration is pending.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { QueryInterface, Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { PROJECT_ROOT } from '../config.js';
import { MIGRATIONS_GLOB, MIGRATIONS_TABLE, migrationName, type MigrationOptions } from './migration-files.js';

export interface MigrationContext extends MigrationOptions {
  queryInterface: QueryInterface;
  sequelize: Sequelize;
}

type MigrationFn = (params: { context: MigrationContext }) => Promise<void>;

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
          name: migrationName(name),
          up: async () => (await load()).up({ context }),
          down: async () => (await load()).down({ context }),
        };
      },
    },
    context: { ...options, queryInterface: sequelize.getQueryInterface(), sequelize },
    storage: new SequelizeStorage({ sequelize, tableName: MIGRATIONS_TABLE }),
    logger: undefined,
  });
}
