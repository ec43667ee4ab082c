// SQLite only: a trigram index over the clients' folded search text (src/db/search-text.ts), so a search of a big
// address book reads the few rows that hold the words' trigrams instead of every row of the owner (issue 17:
// 343 ms for "jOHN mILLER 41" among 100,000 clients). An FTS5 table with external content: it keeps only the
// index, the text stays in clients.search_text, and triggers keep the two together on every insert, update and
// delete, also the import's plain INSERTs. The search text is folded already, so the tokenizer folds nothing more.
// PostgreSQL indexes the same column with pg_trgm (another migration); nothing is done there.
import type { MigrationContext } from '../src/db/migrator.js';

const TRIGGERS = [
  `CREATE TRIGGER clients_search_insert AFTER INSERT ON clients BEGIN
     INSERT INTO clients_search (rowid, search_text) VALUES (new.id, new.search_text);
   END`,
  `CREATE TRIGGER clients_search_delete AFTER DELETE ON clients BEGIN
     INSERT INTO clients_search (clients_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
   END`,
  `CREATE TRIGGER clients_search_update AFTER UPDATE OF search_text ON clients BEGIN
     INSERT INTO clients_search (clients_search, rowid, search_text) VALUES ('delete', old.id, old.search_text);
     INSERT INTO clients_search (rowid, search_text) VALUES (new.id, new.search_text);
   END`,
];

export async function up({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  if (sequelize.getDialect() !== 'sqlite') return;
  await sequelize.transaction(async (transaction) => {
    await sequelize.query(
      `CREATE VIRTUAL TABLE clients_search USING fts5(search_text, content = 'clients', content_rowid = 'id',
         tokenize = 'trigram case_sensitive 1')`,
      { transaction },
    );
    for (const trigger of TRIGGERS) await sequelize.query(trigger, { transaction });
    // The rows already there.
    await sequelize.query(`INSERT INTO clients_search (clients_search) VALUES ('rebuild')`, { transaction });
  });
}

export async function down({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  if (sequelize.getDialect() !== 'sqlite') return;
  await sequelize.transaction(async (transaction) => {
    for (const name of ['insert', 'delete', 'update']) {
      await sequelize.query(`DROP TRIGGER IF EXISTS clients_search_${name}`, { transaction });
    }
    await sequelize.query('DROP TABLE IF EXISTS clients_search', { transaction });
  });
}
