// For a migration's test: a database of its own, taken back to just before the migration, so the rows the test
// writes are the only ones there; and inserts of plain rows, as the tables stood then.
import type { Sequelize } from 'sequelize';
import { parseDatabaseUrl } from '../../src/config.js';
import { connect } from '../../src/db/connection.js';
import { createMigrator } from '../../src/db/migrator.js';
import { selectRows } from '../../src/delivery/sql.js';
import { createScratchDatabase, type ScratchDatabase } from './database.js';

export interface MigrationDatabase {
  /** The connection, open from the suite's `before` hook to its `after` hook. */
  readonly sequelize: Sequelize;
  /** Inserts one row with its created_at and updated_at stamped now; returns its id. */
  insert(table: string, values: Record<string, unknown>): Promise<number>;
}

/** Inserts plain rows (no model, no stamps added): the columns named are the row. */
export function rowInserter(sequelize: Sequelize) {
  return async (table: string, values: Record<string, unknown>): Promise<number> => {
    const columns = Object.keys(values);
    const rows = await selectRows<{ id: number }>(
      sequelize,
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `:${c}`).join(', ')}) RETURNING id`,
      values,
    );
    return Number(rows[0]?.id);
  };
}

/** A scratch database migrated up to `migration` (included) for the describe block it is called in. */
export function databaseBefore(migration: string): MigrationDatabase {
  let scratch: ScratchDatabase | undefined;
  let sequelize: Sequelize | undefined;
  before(async () => {
    scratch = await createScratchDatabase();
    sequelize = await connect(parseDatabaseUrl(scratch.url));
    await createMigrator(sequelize).up({ to: migration });
  });
  after(async () => {
    await sequelize?.close();
    await scratch?.drop();
  });
  const open = (): Sequelize => {
    if (!sequelize) throw new Error('the migration database is opened in a before hook');
    return sequelize;
  };
  return {
    get sequelize() {
      return open();
    },
    insert: (table, values) => {
      const now = new Date().toISOString();
      return rowInserter(open())(table, { ...values, created_at: now, updated_at: now });
    },
  };
}
