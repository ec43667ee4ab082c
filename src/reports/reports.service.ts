// Report rules and queries: every run is read through reportCondition (report-filter.ts), so a customer only
// ever sees their own runs and logs (a manager sees everyone's), and the list, the chart and the CSV export
// keep the same runs. Days are the acting user's calendar days (their time zone), on SQLite and PostgreSQL alike.
import { type WhereOptions } from 'sequelize';
import { boundDatabase, Delivery, type DeliveryStatus, type RunState, type User } from '../db/models/index.js';
import { findPage } from '../db/deferred-page.js';
import { selectRows, toDate } from '../delivery/sql.js';
import { NotFoundError } from '../errors.js';
import { lastAttemptsOf } from './report-counts.js';
import type { ReportFilters } from './report.form.js';
import { ALL_RUNS, allOf, REPORT_RUNS, reportCondition, type SqlCondition } from './report-filter.js';

/** Rows fetched per round trip when exporting (the log's, log-export.ts, too). */
export { EXPORT_CHUNK, deliveryChunks, type ExportedDelivery } from './log-export.js';
import { EXPORT_CHUNK } from './log-export.js';

export interface RunRow {
  id: number;
  /** The run's number within its mailing: what users call it. */
  number: number;
  mailingId: number;
  mailingName: string;
  /** The mailing's owner, for the manager's report. */
  ownerId: number;
  ownerEmail: string;
  ownerName: string;
  scheduledAt: Date;
  state: RunState;
  totalCount: number;
  sentCount: number;
  failedCount: number;
  unknownCount: number;
  /** Of the sent ones: hard bounces and spam complaints that came back (their rates are of sentCount). */
  bouncedCount: number;
  complainedCount: number;
  lastAttemptAt: Date | null;
  /** Why it was paused or cancelled: the stored text, and its kind (words on screen) when it has one. */
  pausedReason: string | null;
  pausedKind: string | null;
}

export { CHART_MAX_DAYS, deliveriesPerDay, type DailyDeliveries } from './report-counts.js';

export interface MailingChoice {
  id: number;
  name: string;
}

interface Window {
  offset: number;
  limit: number;
}

/** A run as the raw query returns it: PostgreSQL counts and SQLite dates come back as text. */
interface RunRecord {
  id: number | string;
  number: number | string | null;
  mailing_id: number | string;
  mailing_name: string;
  owner_id: number | string;
  owner_email: string;
  owner_name: string;
  scheduled_at: unknown;
  state: RunState;
  total_count: number | string;
  sent_count: number | string;
  failed_count: number | string;
  unknown_count: number | string;
  bounced_count: number | string;
  complained_count: number | string;
  paused_reason: string | null;
  paused_kind: string | null;
}

const RUN_COLUMNS = `r.id, r.number, r.mailing_id, m.name AS mailing_name, m.owner_id,
  u.email AS owner_email, u.full_name AS owner_name, r.scheduled_at, r.state,
  r.total_count, r.sent_count, r.failed_count, r.unknown_count, r.bounced_count, r.complained_count,
  r.paused_reason, r.paused_kind`;
const NEWEST_FIRST = 'ORDER BY r.scheduled_at DESC, r.id DESC';

/** A NOT NULL column's date. */
function instant(value: unknown): Date {
  const date = toDate(value);
  if (!date) throw new TypeError('a run without its scheduled time');
  return date;
}

/** The report's runs matching the condition, in the order and window `rest` gives, each with its last attempt. */
async function selectRuns(where: SqlCondition, rest: string, window: Record<string, number>): Promise<RunRow[]> {
  const records = await selectRows<RunRecord>(
    boundDatabase(),
    `SELECT ${RUN_COLUMNS} FROM ${REPORT_RUNS} JOIN users u ON u.id = m.owner_id WHERE ${where.sql} ${rest}`,
    { ...where.replacements, ...window },
  );
  const lastAttempts = await lastAttemptsOf(records.map((record) => Number(record.id)));
  return records.map((record) => ({
    id: Number(record.id),
    number: Number(record.number ?? record.id),
    mailingId: Number(record.mailing_id),
    mailingName: record.mailing_name,
    ownerId: Number(record.owner_id),
    ownerEmail: record.owner_email,
    ownerName: record.owner_name,
    scheduledAt: instant(record.scheduled_at),
    state: record.state,
    totalCount: Number(record.total_count),
    sentCount: Number(record.sent_count),
    failedCount: Number(record.failed_count),
    unknownCount: Number(record.unknown_count),
    bouncedCount: Number(record.bounced_count),
    complainedCount: Number(record.complained_count),
    lastAttemptAt: lastAttempts.get(Number(record.id)) ?? null,
    pausedReason: record.paused_reason,
    pausedKind: record.paused_kind,
  }));
}

/** How many of the report's runs the condition keeps. */
async function countWhere(where: SqlCondition): Promise<number> {
  const [row] = await selectRows<{ count: number | string }>(
    boundDatabase(),
    `SELECT COUNT(*) AS count FROM ${REPORT_RUNS} WHERE ${where.sql}`,
    where.replacements,
  );
  return Number(row?.count ?? 0);
}

/** The owner's mailings for the filter's select, by name. */
export async function listMailingChoices(owner: User): Promise<MailingChoice[]> {
  // With no filter the condition speaks of the mailing alone (its owner), so it reads the mailings only.
  const where = reportCondition(owner, ALL_RUNS);
  const rows = await selectRows<{ id: number | string; name: string }>(
    boundDatabase(),
    `SELECT m.id, m.name FROM mailings m WHERE ${where.sql} ORDER BY m.name ASC, m.id ASC`,
    where.replacements,
  );
  return rows.map((row) => ({ id: Number(row.id), name: row.name }));
}

/** How many of the owner's runs match the filters (for the pager). */
export function countRuns(owner: User, filters: ReportFilters): Promise<number> {
  return countWhere(reportCondition(owner, filters));
}

/** Whether the owner has any run at all, so an empty report can say "create a mailing" or "widen the filters". */
export async function hasAnyRun(owner: User): Promise<boolean> {
  return (await countWhere(reportCondition(owner, ALL_RUNS))) > 0;
}

/** One page of the owner's runs matching the filters, newest first, with each run's last attempt. */
export function listRuns(owner: User, filters: ReportFilters, page: Window): Promise<RunRow[]> {
  return selectRuns(reportCondition(owner, filters), `${NEWEST_FIRST} LIMIT :limit OFFSET :offset`, {
    limit: page.limit,
    offset: page.offset,
  });
}

/** One of the owner's runs with its mailing; someone else's id is a 404. */
export async function findRun(owner: User, id: number): Promise<RunRow> {
  const one: SqlCondition = { sql: 'r.id = :runId', replacements: { runId: id } };
  const [run] = await selectRuns(allOf(reportCondition(owner, ALL_RUNS), one), '', {});
  if (!run) throw new NotFoundError();
  return run;
}

function deliveryWhere(run: RunRow, status: DeliveryStatus | null): WhereOptions<Delivery> {
  return { runId: run.id, ...(status ? { status } : {}) };
}

/**
 * How many deliveries of a run (found with findRun) have the status (for the pager). The whole log's count is the
 * run's total: its rows are all written by the snapshot in the transaction that sets total_count (delivery/runs.ts
 * createRun) and are deleted only with the run, so it is exact without reading the run's 100,000 index entries.
 * The status counters are not (they are recounted after the log's writes, not with them): a status is counted.
 */
export function countDeliveries(run: RunRow, status: DeliveryStatus | null): Promise<number> {
  if (!status) return Promise.resolve(run.totalCount);
  return Delivery.count({ where: deliveryWhere(run, status) });
}

/** One page of a run's log (the run found with findRun), in the order the recipients were snapshotted. */
export function listDeliveries(run: RunRow, status: DeliveryStatus | null, page: Window): Promise<Delivery[]> {
  return findPage(Delivery, { where: deliveryWhere(run, status), order: [['id', 'ASC']], ...page });
}

/** The filtered runs for export, newest first, a chunk per round trip (keyset paging, no OFFSET drift). */
export function runChunks(owner: User, filters: ReportFilters, size = EXPORT_CHUNK): AsyncGenerator<RunRow[]> {
  return runChunksWhere(reportCondition(owner, filters), size);
}

/** The runs of the user's own mailings only (a manager's too), newest first: their account's data archive. */
export function ownRunChunks(owner: Pick<User, 'id'>, size = EXPORT_CHUNK): AsyncGenerator<RunRow[]> {
  return runChunksWhere({ sql: 'm.owner_id = :ownerId', replacements: { ownerId: owner.id } }, size);
}

async function* runChunksWhere(where: SqlCondition, size: number): AsyncGenerator<RunRow[]> {
  let page = where;
  for (;;) {
    const runs = await selectRuns(page, `${NEWEST_FIRST} LIMIT :limit`, { limit: size });
    if (runs.length === 0) return;
    yield runs;
    const last = runs[runs.length - 1];
    if (!last || runs.length < size) return;
    const before: SqlCondition = {
      sql: 'r.scheduled_at < :afterAt OR (r.scheduled_at = :afterAt AND r.id < :afterId)',
      replacements: { afterAt: last.scheduledAt, afterId: last.id },
    };
    page = allOf(where, before);
  }
}
