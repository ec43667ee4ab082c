// Indexes for long lists (docs/PERFORMANCE.md, "Lists, search and exports at scale"): a run's log read in id order
// without walking other runs' rows, the clients list in its e-mail order without sorting the whole book, and the
// clients search served by an index on the folded search text (pg_trgm on PostgreSQL; on SQLite the list's index
// covers it: FTS5's trigram index was no faster for these texts and cost five times as much per inserted row).
import type { MigrationContext } from '../src/db/migrator.js';

const COMMON = ['CREATE INDEX deliveries_run_id ON deliveries (run_id, id)'];

const BY_DIALECT = {
  postgres: [
    'CREATE INDEX clients_owner_email ON clients (owner_id, email, id)',
    'CREATE EXTENSION IF NOT EXISTS pg_trgm',
    'CREATE INDEX clients_search_trgm ON clients USING gin (search_text gin_trgm_ops)',
  ],
  // The search text rides in the list's index: a search reads the owner's index entries in the list's order and
  // never the table (the count too), 15-30 ms for 100,000 clients.
  sqlite: ['CREATE INDEX clients_owner_email ON clients (owner_id, email, id, search_text)'],
} as const;

const DROPPED = ['deliveries_run_id', 'clients_owner_email', 'clients_search_trgm'];

export async function up({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  const dialect = sequelize.getDialect() === 'postgres' ? 'postgres' : 'sqlite';
  await sequelize.transaction(async (transaction) => {
    for (const sql of [...COMMON, ...BY_DIALECT[dialect]]) await sequelize.query(sql, { transaction });
  });
}

export async function down({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    // The extension stays: other databases' objects may use it, and it costs nothing unused.
    for (const name of DROPPED) await sequelize.query(`DROP INDEX IF EXISTS ${name}`, { transaction });
  });
}
