// client_counts: how many clients each owner has, kept by triggers on clients in the statement that inserts or
// deletes them, so the clients list's pager reads a few rows instead of counting the whole book (a sequential
// scan of every owner's clients on PostgreSQL, 18 ms at 100,000). A trigger serves every writer alike: the form,
// imports (bulk INSERTs), account deletion (the cascade from users), the back office and raw SQL. As in
// run_slot_counts (migration 0028), PostgreSQL gives each connection its own row per owner (`pg_backend_pid()`),
// so an import's open transaction never makes another request wait on the owner's counts row, and counts once
// per statement from its transition tables; readers sum the shards. SQLite has one writer: shard 0, per row.
// Only owners still in users are counted: a user's deletion removes their counts rows (ON DELETE CASCADE) and
// the cascaded deletion of their clients must not write a row for a user who is gone.
import type { Sequelize, Transaction } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

const isPostgres = (sequelize: Sequelize): boolean => sequelize.getDialect() === 'postgres';

/** `INSERT ... ON CONFLICT` that adds the selected (owner_id, shard, n) rows. */
function upsertCounts(select: string): string {
  return `INSERT INTO client_counts (owner_id, shard, n) ${select}
    ON CONFLICT (owner_id, shard) DO UPDATE SET n = client_counts.n + excluded.n`;
}

/** PostgreSQL's per-statement function: inserted rows add, deleted rows take back, moved rows do both. */
function statementFunction(): string {
  const owned = (alias: string) => `EXISTS (SELECT 1 FROM users u WHERE u.id = ${alias}.owner_id)`;
  const side = (table: string, n: string) => `SELECT c.owner_id, ${n} AS n FROM ${table} c WHERE ${owned('c')}`;
  const select = (parts: string) =>
    `SELECT owner_id, pg_backend_pid(), SUM(n) FROM (${parts}) AS change GROUP BY owner_id ORDER BY owner_id`;
  // An edit keeps the owner: only a row whose owner changed moves between counts (and writes a counts row).
  const moved = `FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE o.owner_id <> n.owner_id`;
  const moves = `SELECT n.owner_id, 1 AS n ${moved} AND ${owned('n')}
    UNION ALL SELECT o.owner_id, -1 ${moved} AND ${owned('o')}`;
  const body = `
    IF TG_OP = 'INSERT' THEN ${upsertCounts(select(side('new_rows', '1')))};
    ELSIF TG_OP = 'DELETE' THEN ${upsertCounts(select(side('old_rows', '-1')))};
    ELSIF EXISTS (SELECT 1 ${moved}) THEN ${upsertCounts(select(moves))};
    END IF;`;
  return `CREATE FUNCTION clients_count_changes() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN ${body} RETURN NULL; END $body$`;
}

async function createPostgresTriggers(run: (sql: string) => Promise<unknown>): Promise<void> {
  await run(statementFunction());
  await run(`CREATE TRIGGER clients_count_insert AFTER INSERT ON clients REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION clients_count_changes()`);
  await run(`CREATE TRIGGER clients_count_delete AFTER DELETE ON clients REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION clients_count_changes()`);
  await run(`CREATE TRIGGER clients_count_update AFTER UPDATE ON clients
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION clients_count_changes()`);
}

async function createSqliteTriggers(run: (sql: string) => Promise<unknown>): Promise<void> {
  const add = (row: string, n: string) =>
    upsertCounts(`SELECT ${row}.owner_id, 0, ${n} WHERE EXISTS (SELECT 1 FROM users u WHERE u.id = ${row}.owner_id)`);
  await run(`CREATE TRIGGER clients_count_insert AFTER INSERT ON clients BEGIN ${add('NEW', '1')}; END`);
  await run(`CREATE TRIGGER clients_count_delete AFTER DELETE ON clients BEGIN ${add('OLD', '-1')}; END`);
  await run(`CREATE TRIGGER clients_count_update AFTER UPDATE OF owner_id ON clients
    WHEN OLD.owner_id IS NOT NEW.owner_id BEGIN ${add('OLD', '-1')}; ${add('NEW', '1')}; END`);
}

/** Creates the triggers that keep client_counts in step with every insert and delete of a client. */
export async function createClientCountTriggers(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  const run = (sql: string) => sequelize.query(sql, { transaction });
  return isPostgres(sequelize) ? createPostgresTriggers(run) : createSqliteTriggers(run);
}

/** Drops them (the down; a bulk load that counts afresh afterwards with backfillClientCounts). */
export async function dropClientCountTriggers(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  const run = (sql: string) => sequelize.query(sql, { transaction });
  const on = isPostgres(sequelize) ? ' ON clients' : '';
  for (const name of ['insert', 'delete', 'update']) await run(`DROP TRIGGER IF EXISTS clients_count_${name}${on}`);
  if (isPostgres(sequelize)) await run('DROP FUNCTION IF EXISTS clients_count_changes()');
}

/** Counts every owner's clients afresh into shard 0 (the table emptied first). */
export async function backfillClientCounts(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  await sequelize.query('DELETE FROM client_counts', { transaction });
  await sequelize.query(
    `INSERT INTO client_counts (owner_id, shard, n)
     SELECT owner_id, 0, COUNT(*) FROM clients WHERE owner_id IN (SELECT id FROM users) GROUP BY owner_id`,
    { transaction },
  );
}

export async function up({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await sequelize.query(
      `CREATE TABLE client_counts (
        owner_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        shard INTEGER NOT NULL DEFAULT 0,
        n ${isPostgres(sequelize) ? 'BIGINT' : 'INTEGER'} NOT NULL DEFAULT 0,
        PRIMARY KEY (owner_id, shard))`,
      { transaction },
    );
    await backfillClientCounts(sequelize, transaction);
    await createClientCountTriggers(sequelize, transaction);
  });
}

export async function down({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await dropClientCountTriggers(sequelize, transaction);
    await sequelize.query('DROP TABLE client_counts', { transaction });
  });
}
