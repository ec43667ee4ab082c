// run_slot_counts (migration 0016) gets a shard per database connection, and on PostgreSQL one trigger call
// per statement instead of one per row. With a single row per run and quarter-hour, every worker's log write
// updated the same counts row and held its lock until its commit: lane writes of all workers queued behind one
// another's disk flushes (no group commit), and two writes touching two quarter-hours in opposite orders could
// deadlock. Now each connection adds and takes back in its own row (`pg_backend_pid()`), so no two connections
// ever wait on a counts row; readers sum the shards, as they already summed the slots. The per-statement
// trigger reads the statement's changed rows from its transition tables and writes each (run, slot) once:
// measured on a lane write of 5 outcomes and 5 marks, the per-row trigger cost PostgreSQL about 0.3–0.4 ms of
// CPU, more than half the write's own. SQLite has one writer: its shard is always 0 and its triggers stay per row.
import type { Sequelize, Transaction } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';
import {
  backfillCounts as backfillUnsharded,
  createCountTriggers as createUnshardedTriggers,
} from './20261216-0016-run-slot-counts.js';

const isPostgres = (sequelize: Sequelize): boolean => sequelize.getDialect() === 'postgres';

const STATUSES = ['sent', 'failed', 'unknown', 'other'] as const;

/** The quarter-hour number (seconds since the epoch / 900) of a timestamp column, per dialect. */
function slotOf(sequelize: Sequelize, column: string): string {
  return isPostgres(sequelize)
    ? `CAST(floor(extract(epoch FROM ${column}) / 900) AS bigint)`
    : `CAST(strftime('%s', ${column}) AS INTEGER) / 900`;
}

/** 1 when the status column is the named status (or, for 'other', none of the finished ones), else 0. */
function countOf(status: string, column: string): string {
  const test = status === 'other' ? `${column} NOT IN ('sent', 'failed', 'unknown')` : `${column} = '${status}'`;
  return `CASE WHEN ${test} THEN 1 ELSE 0 END`;
}

/** The counted category of a row: its status when finished, else 'other'. */
const category = (row: string): string =>
  `CASE WHEN ${row}.status IN ('sent', 'failed', 'unknown') THEN ${row}.status ELSE 'other' END`;

/** `INSERT ... ON CONFLICT` that adds the selected (run_id, slot, shard, counts..., last_at) rows. */
function upsertCounts(sequelize: Sequelize, select: string): string {
  const greatest = isPostgres(sequelize) ? 'GREATEST' : 'max';
  return `INSERT INTO run_slot_counts (run_id, slot, shard, ${STATUSES.join(', ')}, last_at) ${select}
    ON CONFLICT (run_id, slot, shard) DO UPDATE SET
      ${STATUSES.map((status) => `${status} = run_slot_counts.${status} + excluded.${status}`).join(', ')},
      last_at = ${greatest}(run_slot_counts.last_at, excluded.last_at)`;
}

/** The statement that counts the whole log afresh into shard 0. */
function backfillStatement(sequelize: Sequelize): string {
  const slot = slotOf(sequelize, 'last_attempt_at');
  return upsertCounts(
    sequelize,
    `SELECT run_id, ${slot}, 0, ${STATUSES.map((status) => `SUM(${countOf(status, 'status')})`).join(', ')},
       MAX(last_attempt_at)
     FROM deliveries WHERE last_attempt_at IS NOT NULL GROUP BY run_id, ${slot}`,
  );
}

/**
 * PostgreSQL's per-statement function: for the rows whose category or slot changed, the new counts go in and
 * the old ones come out, both into this connection's shard, each (run, slot) written once and in key order.
 * A taken-back row keeps its old attempt as `last_at`, as 0016's did (it was counted there already).
 */
function statementFunction(sequelize: Sequelize): string {
  const changed = `FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE (${category('o')} <> ${category('n')} OR o.last_attempt_at IS DISTINCT FROM n.last_attempt_at)`;
  const counts = (row: string, sign: string) =>
    STATUSES.map((status) => `${sign}${countOf(status, `${row}.status`)} AS ${status}`).join(', ');
  const select = `SELECT run_id, slot, pg_backend_pid(), ${STATUSES.map((s) => `SUM(${s})`).join(', ')}, MAX(last_at)
    FROM (
      SELECT n.run_id, ${slotOf(sequelize, 'n.last_attempt_at')} AS slot, ${counts('n', '')}, n.last_attempt_at AS last_at
      ${changed} AND n.last_attempt_at IS NOT NULL
      UNION ALL
      SELECT o.run_id, ${slotOf(sequelize, 'o.last_attempt_at')}, ${counts('o', '-')}, o.last_attempt_at
      ${changed} AND o.last_attempt_at IS NOT NULL
    ) AS change GROUP BY run_id, slot ORDER BY run_id, slot`;
  return `CREATE FUNCTION deliveries_count_changes() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN ${upsertCounts(sequelize, select)}; RETURN NULL; END $body$`;
}

/** PostgreSQL's per-row function for inserts (few carry an attempt: a snapshot's rows fire nothing). */
function insertFunction(sequelize: Sequelize): string {
  const select = `SELECT NEW.run_id, ${slotOf(sequelize, 'NEW.last_attempt_at')}, pg_backend_pid(),
    ${STATUSES.map((status) => countOf(status, 'NEW.status')).join(', ')}, NEW.last_attempt_at`;
  return `CREATE FUNCTION deliveries_count_inserted() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN ${upsertCounts(sequelize, select)}; RETURN NULL; END $body$`;
}

/** SQLite's per-row triggers, all in shard 0 (one writer at a time). */
async function createSqliteTriggers(run: (sql: string) => Promise<unknown>, sequelize: Sequelize): Promise<void> {
  const add = upsertCounts(
    sequelize,
    `SELECT NEW.run_id, ${slotOf(sequelize, 'NEW.last_attempt_at')}, 0,
      ${STATUSES.map((status) => countOf(status, 'NEW.status')).join(', ')}, NEW.last_attempt_at
     WHERE NEW.last_attempt_at IS NOT NULL`,
  );
  const subtract = `UPDATE run_slot_counts SET
      ${STATUSES.map((status) => `${status} = ${status} - ${countOf(status, 'OLD.status')}`).join(', ')}
    WHERE OLD.last_attempt_at IS NOT NULL AND run_id = OLD.run_id
      AND slot = ${slotOf(sequelize, 'OLD.last_attempt_at')} AND shard = 0`;
  const changes = `(${category('OLD')} <> ${category('NEW')} OR OLD.last_attempt_at IS NOT NEW.last_attempt_at)
    AND (OLD.last_attempt_at IS NOT NULL OR NEW.last_attempt_at IS NOT NULL)`;
  await run(`CREATE TRIGGER deliveries_count_insert AFTER INSERT ON deliveries
    WHEN NEW.last_attempt_at IS NOT NULL BEGIN ${add}; END`);
  await run(`CREATE TRIGGER deliveries_count_update AFTER UPDATE OF status, last_attempt_at ON deliveries
    WHEN ${changes} BEGIN ${subtract}; ${add}; END`);
}

/** Creates the triggers that keep run_slot_counts in step with every write of a delivery. */
export async function createCountTriggers(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  const run = (sql: string) => sequelize.query(sql, { transaction });
  if (!isPostgres(sequelize)) return createSqliteTriggers(run, sequelize);
  await run(statementFunction(sequelize));
  await run(insertFunction(sequelize));
  await run(`CREATE TRIGGER deliveries_count_insert AFTER INSERT ON deliveries FOR EACH ROW
    WHEN (NEW.last_attempt_at IS NOT NULL) EXECUTE FUNCTION deliveries_count_inserted()`);
  // A transition table may not go with a column list (UPDATE OF ...): the function filters the rows itself.
  await run(`CREATE TRIGGER deliveries_count_update AFTER UPDATE ON deliveries
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION deliveries_count_changes()`);
}

/** Drops the triggers (the migration's down; a bulk load that back-fills afterwards). */
export async function dropCountTriggers(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  const run = (sql: string) => sequelize.query(sql, { transaction });
  const on = isPostgres(sequelize) ? ' ON deliveries' : '';
  await run(`DROP TRIGGER IF EXISTS deliveries_count_insert${on}`);
  await run(`DROP TRIGGER IF EXISTS deliveries_count_update${on}`);
  if (!isPostgres(sequelize)) return;
  await run('DROP FUNCTION IF EXISTS deliveries_count_changes()');
  await run('DROP FUNCTION IF EXISTS deliveries_count_inserted()');
  await run('DROP FUNCTION IF EXISTS deliveries_count()');
}

/** Counts the whole log afresh into run_slot_counts (emptied first). */
export async function backfillCounts(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  await sequelize.query('DELETE FROM run_slot_counts', { transaction });
  await sequelize.query(backfillStatement(sequelize), { transaction });
}

/** The counts table with the given key columns (0016's without the shard). */
function createTable(sequelize: Sequelize, sharded: boolean): string {
  const pg = isPostgres(sequelize);
  return `CREATE TABLE run_slot_counts (
    run_id INTEGER NOT NULL REFERENCES mailing_runs (id) ON DELETE CASCADE,
    slot ${pg ? 'BIGINT' : 'INTEGER'} NOT NULL,
    ${sharded ? 'shard INTEGER NOT NULL DEFAULT 0,' : ''}
    ${STATUSES.map((status) => `${status} INTEGER NOT NULL DEFAULT 0`).join(', ')},
    last_at ${pg ? 'TIMESTAMP WITH TIME ZONE' : 'DATETIME'} NOT NULL,
    PRIMARY KEY (run_id, slot${sharded ? ', shard' : ''}))`;
}

export async function up({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await dropCountTriggers(sequelize, transaction);
    await sequelize.query('DROP TABLE run_slot_counts', { transaction });
    await sequelize.query(createTable(sequelize, true), { transaction });
    await backfillCounts(sequelize, transaction);
    await createCountTriggers(sequelize, transaction);
  });
}

export async function down({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await dropCountTriggers(sequelize, transaction);
    await sequelize.query('DROP TABLE run_slot_counts', { transaction });
    await sequelize.query(createTable(sequelize, false), { transaction });
    await backfillUnsharded(sequelize, transaction);
    await createUnshardedTriggers(sequelize, transaction);
  });
}
