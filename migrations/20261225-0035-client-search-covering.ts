// Clients search on PostgreSQL without the trigram index (docs/PERFORMANCE.md, "h17import"): the search text rides
// in the list's index, as on SQLite since 0017, so a search is an index-only scan of the owner's entries (~12-15 ms
// for 100,000 clients, against 30-90 ms through the trigram GIN), and an import no longer writes ~40 GIN entries
// per row (the GIN more than halved the database's insert rate). Nothing on SQLite: its index already covers.
import type { MigrationContext } from '../src/db/migrator.js';

const UP = [
  'DROP INDEX IF EXISTS clients_search_trgm',
  'DROP INDEX IF EXISTS clients_owner_email',
  'CREATE INDEX clients_owner_email ON clients (owner_id, email, id) INCLUDE (search_text)',
];

const DOWN = [
  'DROP INDEX IF EXISTS clients_owner_email',
  'CREATE INDEX clients_owner_email ON clients (owner_id, email, id)',
  'CREATE INDEX clients_search_trgm ON clients USING gin (search_text gin_trgm_ops)',
];

async function run(sequelize: MigrationContext['sequelize'], statements: readonly string[]): Promise<void> {
  if (sequelize.getDialect() !== 'postgres') return;
  await sequelize.transaction(async (transaction) => {
    for (const sql of statements) await sequelize.query(sql, { transaction });
  });
}

export async function up({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  await run(sequelize, UP);
}

export async function down({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  await run(sequelize, DOWN);
}
