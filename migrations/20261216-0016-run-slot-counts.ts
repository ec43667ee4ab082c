// The report's chart and each run's last attempt come from counts kept beside the log, not from scanning it:
// `run_slot_counts` holds, per run and per quarter-hour (UTC) of the deliveries' last attempt, how many are
// sent, failed, unknown or attempted and waiting again ("other"), and the latest attempt among them. A quarter
// hour because every time zone's midnight falls on one, so any reader's calendar days are whole sums of slots.
// Database triggers keep the counts in the statement that writes a delivery (the lane writer, the reaper,
// give-backs, retries, a deleted client's failures, an import), so they cannot drift from the log whichever
// door writes it; the rows go with their run (ON DELETE CASCADE). Existing deliveries are counted here once.
import type { Sequelize, Transaction } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

const isPostgres = (sequelize: Sequelize): boolean => sequelize.getDialect() === 'postgres';

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

const STATUSES = ['sent', 'failed', 'unknown', 'other'] as const;

/** The statements that add a row's counts (`row` is NEW, or the deliveries table when back-filling). */
function addCounts(sequelize: Sequelize, row: string, grouped: boolean): string {
  const value = (expression: string): string => (grouped ? `SUM(${expression})` : expression);
  const greatest = isPostgres(sequelize) ? 'GREATEST' : 'max';
  return `INSERT INTO run_slot_counts (run_id, slot, ${STATUSES.join(', ')}, last_at)
    SELECT ${row}.run_id, ${slotOf(sequelize, `${row}.last_attempt_at`)},
      ${STATUSES.map((status) => value(countOf(status, `${row}.status`))).join(', ')},
      ${grouped ? `MAX(${row}.last_attempt_at)` : `${row}.last_attempt_at`}
    ${grouped ? `FROM ${row}` : ''} WHERE ${row}.last_attempt_at IS NOT NULL
    ${grouped ? `GROUP BY ${row}.run_id, ${slotOf(sequelize, `${row}.last_attempt_at`)}` : ''}
    ON CONFLICT (run_id, slot) DO UPDATE SET
      ${STATUSES.map((status) => `${status} = run_slot_counts.${status} + excluded.${status}`).join(', ')},
      last_at = ${greatest}(run_slot_counts.last_at, excluded.last_at)`;
}

/** The statement that takes an OLD row's counts back. */
function subtractCounts(sequelize: Sequelize): string {
  return `UPDATE run_slot_counts SET
      ${STATUSES.map((status) => `${status} = ${status} - ${countOf(status, 'OLD.status')}`).join(', ')}
    WHERE OLD.last_attempt_at IS NOT NULL AND run_id = OLD.run_id
      AND slot = ${slotOf(sequelize, 'OLD.last_attempt_at')}`;
}

const CATEGORY = (row: string): string =>
  `CASE WHEN ${row}.status IN ('sent', 'failed', 'unknown') THEN ${row}.status ELSE 'other' END`;

/** Whether an update changes what the counts hold: the row's counted status or its slot. */
function changes(sequelize: Sequelize): string {
  const differs = isPostgres(sequelize) ? 'IS DISTINCT FROM' : 'IS NOT';
  return `(${CATEGORY('OLD')} <> ${CATEGORY('NEW')} OR OLD.last_attempt_at ${differs} NEW.last_attempt_at)
    AND (OLD.last_attempt_at IS NOT NULL OR NEW.last_attempt_at IS NOT NULL)`;
}

/** Creates the triggers that keep run_slot_counts in step with every insert and update of a delivery. */
export async function createCountTriggers(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  const run = (sql: string) => sequelize.query(sql, { transaction });
  if (!isPostgres(sequelize)) {
    await run(`CREATE TRIGGER deliveries_count_insert AFTER INSERT ON deliveries
      WHEN NEW.last_attempt_at IS NOT NULL BEGIN ${addCounts(sequelize, 'NEW', false)}; END`);
    await run(`CREATE TRIGGER deliveries_count_update AFTER UPDATE OF status, last_attempt_at ON deliveries
      WHEN ${changes(sequelize)} BEGIN ${subtractCounts(sequelize)}; ${addCounts(sequelize, 'NEW', false)}; END`);
    return;
  }
  await run(`CREATE FUNCTION deliveries_count() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN
      IF TG_OP = 'UPDATE' THEN ${subtractCounts(sequelize)}; END IF;
      ${addCounts(sequelize, 'NEW', false)};
      RETURN NULL;
    END $body$`);
  await run(`CREATE TRIGGER deliveries_count_insert AFTER INSERT ON deliveries FOR EACH ROW
    WHEN (NEW.last_attempt_at IS NOT NULL) EXECUTE FUNCTION deliveries_count()`);
  await run(`CREATE TRIGGER deliveries_count_update AFTER UPDATE OF status, last_attempt_at ON deliveries
    FOR EACH ROW WHEN (${changes(sequelize)}) EXECUTE FUNCTION deliveries_count()`);
}

/** Drops the triggers (the migration's down; a bulk load that back-fills afterwards, as bench:scale does). */
export async function dropCountTriggers(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  const run = (sql: string) => sequelize.query(sql, { transaction });
  const on = isPostgres(sequelize) ? ' ON deliveries' : '';
  await run(`DROP TRIGGER IF EXISTS deliveries_count_insert${on}`);
  await run(`DROP TRIGGER IF EXISTS deliveries_count_update${on}`);
  if (isPostgres(sequelize)) await run('DROP FUNCTION IF EXISTS deliveries_count()');
}

/** Counts the whole log afresh into run_slot_counts (emptied first). */
export async function backfillCounts(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  await sequelize.query('DELETE FROM run_slot_counts', { transaction });
  await sequelize.query(addCounts(sequelize, 'deliveries', true), { transaction });
}

export async function up({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  const pg = isPostgres(sequelize);
  await sequelize.transaction(async (transaction) => {
    await sequelize.query(
      `CREATE TABLE run_slot_counts (
        run_id INTEGER NOT NULL REFERENCES mailing_runs (id) ON DELETE CASCADE,
        slot ${pg ? 'BIGINT' : 'INTEGER'} NOT NULL,
        ${STATUSES.map((status) => `${status} INTEGER NOT NULL DEFAULT 0`).join(', ')},
        last_at ${pg ? 'TIMESTAMP WITH TIME ZONE' : 'DATETIME'} NOT NULL,
        PRIMARY KEY (run_id, slot))`,
      { transaction },
    );
    await backfillCounts(sequelize, transaction);
    await createCountTriggers(sequelize, transaction);
  });
}

export async function down({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await dropCountTriggers(sequelize, transaction);
    await sequelize.query('DROP TABLE run_slot_counts', { transaction });
  });
}
