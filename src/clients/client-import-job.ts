// A background import of clients: the stored file is read as a stream, every row checked by the client rules
// (checkRow, the preview's), and the new ones inserted with multi-row INSERTs, all inside one transaction, so a
// failure half-way keeps nothing, nor does a process killed half-way (its transaction dies with its connection).
// While it runs, its progress and heartbeat are reported for every process (client-import-progress.ts); the counts
// and the error report are written with the last batch, in the same transaction, only if no other process took the
// import for dead meanwhile.
import { rm } from 'node:fs/promises';
import type pg from 'pg';
import { Op, type Sequelize, type Transaction } from 'sequelize';
import type sqlite3 from 'sqlite3';
import { siteEvents } from '../cache/site-events.js';
import { useBulkWriteCache } from '../db/bulk-write-cache.js';
import { ClientImport } from '../db/models/index.js';
import { searchTextOf } from '../db/search-text.js';
import { isPostgres, sqlTimestamp } from '../delivery/sql.js';
import type { Logger } from '../logger.js';
import { checkRow, type CheckedRow } from './clients-csv.js';
import { ImportProblem, rowBatches } from './client-import-file.js';
import { IMPORT_INTERRUPTED, reportProgress, type ProgressReporter } from './client-import-progress.js';
import type { ClientInput } from './client.form.js';

/** Rows per INSERT: 7 parameters each (28,000), within SQLite's 32,766 and PostgreSQL's 65,535. */
export const IMPORT_INSERT_ROWS = 4000;
/** The error report keeps this many rows; the counts stay exact beyond it. */
export const MAX_REPORTED_ROWS = 100_000;
/** The problem of an import that failed for a reason of ours, not of the file. */
export const IMPORT_FAILED = 'clientImports.failed';

const ACTIVE = { [Op.in]: ['queued', 'running'] };

/** The jobs running in this process, so that a stopping process can end them first. */
const jobs = new Set<Promise<void>>();
let stopping = false;

/** Runs the import without making the caller wait; a failure is recorded on the import and logged. */
export function startClientImport(sequelize: Sequelize, id: number, logger?: Logger): Promise<void> {
  const job = runClientImport(sequelize, id, logger)
    .catch((error: unknown) => logger?.error({ err: error, id }, 'client import'))
    .finally(() => jobs.delete(job));
  jobs.add(job);
  return job;
}

/** For a stopping process: every import it runs ends at its next batch as interrupted (nothing kept). */
export async function interruptClientImports(): Promise<void> {
  stopping = true;
  await Promise.all([...jobs]);
}

/** Runs one queued import to its end: done with counts, or failed with nothing kept. */
export async function runClientImport(sequelize: Sequelize, id: number, logger?: Logger): Promise<void> {
  const job = await ClientImport.findByPk(id);
  if (!job?.filePath) return;
  const file = job.filePath;
  // The claim: one process turns it from queued to running (a stale one may have been failed meanwhile).
  const now = new Date();
  const [claimed] = await ClientImport.update(
    { status: 'running', startedAt: now, heartbeatAt: now },
    { where: { id, status: 'queued' } },
  );
  const reporter = claimed === 1 ? reportProgress(sequelize, id, logger) : null;
  if (!reporter) return;
  try {
    await sequelize.transaction(async (transaction) => {
      const report = await importRows(sequelize, job, file, reporter, transaction);
      await reporter.stop();
      // Conditional: an import another process marked failed (its heartbeat stale) stays failed, and this
      // transaction is rolled back, so that what the page said (nothing kept) stays true.
      const [finished] = await ClientImport.update(
        { ...reporter.progress, status: 'done', errorReport: report, filePath: null, finishedAt: new Date() },
        { where: { id, status: 'running' }, transaction },
      );
      if (finished === 0) throw new ImportProblem(IMPORT_INTERRUPTED);
      transaction.afterCommit(() => void siteEvents.emit('stats-changed'));
    });
  } catch (error) {
    await reporter.stop();
    const problem = error instanceof ImportProblem ? error : new ImportProblem(IMPORT_FAILED);
    await ClientImport.update(
      {
        status: 'failed',
        problemKey: problem.key,
        problemLine: problem.line ?? null,
        filePath: null,
        finishedAt: new Date(),
      },
      { where: { id, status: ACTIVE } },
    );
    if (!(error instanceof ImportProblem)) throw error;
  } finally {
    reporter.release();
    await rm(file, { force: true });
  }
}

// Every batch of the file checked and inserted; returns the error report (JSON lines: row, field, key, e-mail).
async function importRows(
  sequelize: Sequelize,
  job: ClientImport,
  file: string,
  reporter: ProgressReporter,
  transaction: Transaction,
): Promise<string> {
  const { progress } = reporter;
  const seen = new Set<string>();
  const report: string[] = [];
  const skip = (row: CheckedRow, field: string, key: string): void => {
    if (report.length < MAX_REPORTED_ROWS) report.push(JSON.stringify([row.row, field, key, row.email]));
  };
  const none: ReadonlySet<string> = new Set();
  await useBulkWriteCache(sequelize, transaction);
  // The database inserts one batch while the next is read and checked (SQLite works in libuv's threads).
  let inserting: Promise<void> = Promise.resolve();
  for await (const batch of rowBatches(file, IMPORT_INSERT_ROWS)) {
    // Taken for dead by another process, or this one is stopping: end here (the transaction keeps nothing).
    if (reporter.lost || stopping) {
      await inserting;
      throw new ImportProblem(IMPORT_INTERRUPTED);
    }
    const fresh: CheckedRow[] = [];
    for (const row of batch.rows) {
      const checked = checkRow(row, seen, none);
      if (checked.status === 'invalid') {
        progress.invalidCount += 1;
        const [field, key] = Object.entries(checked.errors)[0] ?? ['_form', 'forms.invalid'];
        skip(checked, field, key);
      } else if (checked.status === 'duplicate') {
        progress.duplicateCount += 1;
        skip(checked, 'email', 'duplicate');
      } else fresh.push(checked);
    }
    await inserting;
    inserting = insertClients(sequelize, job.ownerId, fresh, transaction).then((inserted) => {
      for (const row of fresh) {
        if (inserted.has(row.input?.email ?? '')) continue;
        progress.existsCount += 1;
        skip(row, 'email', 'exists');
      }
      progress.importedCount += inserted.size;
      progress.totalRows += batch.rows.length;
      progress.readBytes = batch.readBytes;
    });
    // Awaited above or below; until then a failure must not count as unhandled.
    inserting.catch(() => undefined);
    // Let the web answer requests between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await inserting;
  if (progress.totalRows === 0) throw new ImportProblem('clients.import.empty');
  return report.join('\n');
}

type Connection = sqlite3.Database | pg.Client;

// One multi-row INSERT of the batch; the rows already in the owner's book are left alone (the unique index on
// owner and e-mail), and the e-mails inserted come back.
async function insertClients(
  sequelize: Sequelize,
  ownerId: number,
  rows: CheckedRow[],
  transaction: Transaction,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inputs = rows.map((row) => row.input as ClientInput);
  const now = sqlTimestamp(sequelize, new Date());
  // The transaction's own connection, straight on the driver: Sequelize's query path would parse and escape
  // every parameter again (the typings do not show a transaction's connection).
  const connection = (transaction as unknown as { connection: Connection }).connection;
  const returned = isPostgres(sequelize)
    ? await insertOnPostgres(connection as pg.Client, ownerId, inputs, now)
    : await insertOnSqlite(connection as sqlite3.Database, ownerId, inputs, now);
  return new Set(returned.map((row) => row.email));
}

const INSERTED = 'INSERT INTO clients (owner_id, email, full_name, comment, search_text, created_at, updated_at)';
const ON_CONFLICT = 'ON CONFLICT DO NOTHING RETURNING email';

// PostgreSQL: one statement of four array parameters (unnest), parsed once whatever the batch's size, instead of
// 28,000 scalar parameters (measured in docs/PERFORMANCE.md, "h17import").
async function insertOnPostgres(
  connection: pg.Client,
  ownerId: number,
  inputs: ClientInput[],
  now: string,
): Promise<{ email: string }[]> {
  const sql = `${INSERTED} SELECT $1::integer, e, n, c, s, $6::timestamptz, $6::timestamptz
    FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS u(e, n, c, s) ${ON_CONFLICT}`;
  const values = [
    ownerId,
    inputs.map((input) => input.email),
    inputs.map((input) => input.fullName),
    inputs.map((input) => input.comment),
    inputs.map((input) => searchTextOf([input.email, input.fullName, input.comment])),
    now,
  ];
  return (await connection.query<{ email: string }>(sql, values)).rows;
}

// SQLite: a multi-row VALUES of 7 parameters a row (4,000 rows: 28,000, within its 32,766).
function insertOnSqlite(
  connection: sqlite3.Database,
  ownerId: number,
  inputs: ClientInput[],
  now: string,
): Promise<{ email: string }[]> {
  const values: unknown[] = [];
  for (const input of inputs) {
    const text = searchTextOf([input.email, input.fullName, input.comment]);
    values.push(ownerId, input.email, input.fullName, input.comment, text, now, now);
  }
  const tuple = '(?,?,?,?,?,?,?)';
  const sql = `${INSERTED} VALUES ${Array.from(inputs, () => tuple).join(',')} ${ON_CONFLICT}`;
  return new Promise((resolve, reject) =>
    connection.all<{ email: string }>(sql, values, (error, found) => (error ? reject(error) : resolve(found))),
  );
}
