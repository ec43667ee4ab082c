// Report rules and queries: every run is reached through mailings.owner_id, so a customer only ever sees their
// own runs and logs (a manager sees everyone's). Days are the acting user's calendar days (their time zone), on SQLite and PostgreSQL alike.
import { DateTime } from 'luxon';
import { col, fn, Op, type WhereOptions } from 'sequelize';
import {
  boundDatabase,
  Delivery,
  Mailing,
  MailingRun,
  type DeliveryStatus,
  type RunState,
  type User,
} from '../db/models/index.js';
import { selectRows, toDate } from '../delivery/sql.js';
import { NotFoundError } from '../errors.js';
import { seesEveryMailing } from '../permissions.js';
import type { DayCounts } from './report-chart.js';
import type { ReportFilters } from './report.form.js';

/** The chart shows at most this many days (the latest ones) so the query and the bars stay bounded. */
export const CHART_MAX_DAYS = 60;
/** Rows fetched per round trip when exporting. */
export const EXPORT_CHUNK = 1_000;

export interface RunRow {
  id: number;
  mailingId: number;
  mailingName: string;
  scheduledAt: Date;
  state: RunState;
  totalCount: number;
  sentCount: number;
  failedCount: number;
  unknownCount: number;
  lastAttemptAt: Date | null;
}

export interface MailingChoice {
  id: number;
  name: string;
}

export interface DailyDeliveries {
  days: DayCounts[];
  /** True when earlier days were left out (more than CHART_MAX_DAYS days have deliveries). */
  truncated: boolean;
}

interface Window {
  offset: number;
  limit: number;
}

function runWhere(filters: ReportFilters): WhereOptions<MailingRun> {
  const scheduledAt: Record<symbol, Date> = {};
  if (filters.scheduledFrom) scheduledAt[Op.gte] = filters.scheduledFrom;
  if (filters.scheduledBefore) scheduledAt[Op.lt] = filters.scheduledBefore;
  return {
    ...(filters.scheduledFrom || filters.scheduledBefore ? { scheduledAt } : {}),
    ...(filters.mailingId ? { mailingId: filters.mailingId } : {}),
    ...(filters.state ? { state: filters.state } : {}),
  };
}

// A customer's report covers their own mailings; a manager's covers everyone's.
function ownerScope(viewer: User): { ownerId?: number } {
  return seesEveryMailing(viewer.role) ? {} : { ownerId: viewer.id };
}

function ownedBy(viewer: User) {
  return { model: Mailing, as: 'mailing', attributes: ['id', 'name'], where: ownerScope(viewer), required: true };
}

function toRunRow(run: MailingRun, lastAttemptAt: Date | null): RunRow {
  return {
    id: run.id,
    mailingId: run.mailing?.id ?? 0,
    mailingName: run.mailing?.name ?? '',
    scheduledAt: run.scheduledAt,
    state: run.state,
    totalCount: run.totalCount,
    sentCount: run.sentCount,
    failedCount: run.failedCount,
    unknownCount: run.unknownCount,
    lastAttemptAt,
  };
}

/** The owner's mailings for the filter's select, by name. */
export async function listMailingChoices(owner: User): Promise<MailingChoice[]> {
  const mailings = await Mailing.findAll({
    attributes: ['id', 'name'],
    where: ownerScope(owner),
    order: [
      ['name', 'ASC'],
      ['id', 'ASC'],
    ],
  });
  return mailings.map((mailing) => ({ id: mailing.id, name: mailing.name }));
}

/** How many of the owner's runs match the filters (for the pager). */
export function countRuns(owner: User, filters: ReportFilters): Promise<number> {
  return MailingRun.count({ where: runWhere(filters), include: [ownedBy(owner)] });
}

/** Whether the owner has any run at all, so an empty report can say "create a mailing" or "widen the filters". */
export async function hasAnyRun(owner: User): Promise<boolean> {
  return (await MailingRun.count({ include: [ownedBy(owner)] })) > 0;
}

/** One page of the owner's runs matching the filters, newest first, with each run's last attempt. */
export async function listRuns(owner: User, filters: ReportFilters, page: Window): Promise<RunRow[]> {
  const runs = await MailingRun.findAll({
    where: runWhere(filters),
    include: [ownedBy(owner)],
    order: [
      ['scheduledAt', 'DESC'],
      ['id', 'DESC'],
    ],
    offset: page.offset,
    limit: page.limit,
  });
  const lastAttempts = await lastAttemptsOf(runs.map((run) => run.id));
  return runs.map((run) => toRunRow(run, lastAttempts.get(run.id) ?? null));
}

/** The latest attempt of each given run, in one grouped query (runs without attempts are absent). */
async function lastAttemptsOf(runIds: number[]): Promise<Map<number, Date | null>> {
  if (runIds.length === 0) return new Map();
  const rows = (await Delivery.findAll({
    attributes: ['runId', [fn('MAX', col('last_attempt_at')), 'lastAttemptAt']],
    where: { runId: runIds },
    group: ['runId'],
    raw: true,
  })) as unknown as { runId: number | string; lastAttemptAt: unknown }[];
  return new Map(rows.map((row) => [Number(row.runId), toDate(row.lastAttemptAt)]));
}

/** The filtered runs' finished deliveries per day of their last attempt, in the owner's zone, oldest day first. */
export async function deliveriesPerDay(owner: User, filters: ReportFilters): Promise<DailyDeliveries> {
  const sequelize = boundDatabase();
  const { conditions, replacements } = chartConditions(owner, filters);
  const from = `FROM deliveries d
    JOIN mailing_runs r ON r.id = d.run_id
    JOIN mailings m ON m.id = r.mailing_id
    WHERE ${conditions.join(' AND ')}`;
  const [range] = await selectRows<{ first_at: unknown; last_at: unknown }>(
    sequelize,
    `SELECT MIN(d.last_attempt_at) AS first_at, MAX(d.last_attempt_at) AS last_at ${from}`,
    replacements,
  );
  const firstAt = toDate(range?.first_at);
  const lastAt = toDate(range?.last_at);
  if (!firstAt || !lastAt) return { days: [], truncated: false };

  const zone = owner.timeZone;
  const lastDay = DateTime.fromJSDate(lastAt, { zone }).startOf('day');
  const earliest = lastDay.minus({ days: CHART_MAX_DAYS - 1 });
  const firstSeen = DateTime.fromJSDate(firstAt, { zone }).startOf('day');
  const firstDay = firstSeen < earliest ? earliest : firstSeen;
  const dayCount = Math.round(lastDay.diff(firstDay, 'days').days) + 1;
  // Local midnights as instants: day i is [bounds[i], bounds[i + 1]), whatever the zone's offset did that day.
  const bounds = Array.from({ length: dayCount + 1 }, (_, i) => firstDay.plus({ days: i }).startOf('day'));
  const boundParams = Object.fromEntries(bounds.map((bound, i) => [`b${i}`, bound.toJSDate()]));
  const dayOf = bounds
    .slice(1)
    .map((_, i) => `WHEN d.last_attempt_at < :b${i + 1} THEN ${i}`)
    .join(' ');
  const rows = await selectRows<{ day_index: number | string; status: string; count: number | string }>(
    sequelize,
    `SELECT CASE ${dayOf} END AS day_index, d.status AS status, COUNT(*) AS count
     ${from} AND d.last_attempt_at >= :b0 AND d.last_attempt_at < :b${dayCount}
     GROUP BY day_index, d.status`,
    { ...replacements, ...boundParams },
  );
  const days: DayCounts[] = bounds
    .slice(0, dayCount)
    .map((bound) => ({ day: bound.toISODate() ?? '', sent: 0, failed: 0, unknown: 0 }));
  for (const row of rows) {
    const day = days[Number(row.day_index)];
    if (day && (row.status === 'sent' || row.status === 'failed' || row.status === 'unknown')) {
      day[row.status] += Number(row.count);
    }
  }
  return { days, truncated: firstSeen < earliest };
}

function chartConditions(
  owner: User,
  filters: ReportFilters,
): { conditions: string[]; replacements: Record<string, unknown> } {
  const conditions = ["d.status IN ('sent', 'failed', 'unknown')", 'd.last_attempt_at IS NOT NULL'];
  const replacements: Record<string, unknown> = {};
  const { ownerId } = ownerScope(owner);
  if (ownerId) {
    conditions.push('m.owner_id = :ownerId');
    replacements.ownerId = ownerId;
  }
  if (filters.scheduledFrom) {
    conditions.push('r.scheduled_at >= :scheduledFrom');
    replacements.scheduledFrom = filters.scheduledFrom;
  }
  if (filters.scheduledBefore) {
    conditions.push('r.scheduled_at < :scheduledBefore');
    replacements.scheduledBefore = filters.scheduledBefore;
  }
  if (filters.mailingId) {
    conditions.push('r.mailing_id = :mailingId');
    replacements.mailingId = filters.mailingId;
  }
  if (filters.state) {
    conditions.push('r.state = :state');
    replacements.state = filters.state;
  }
  return { conditions, replacements };
}

/** One of the owner's runs with its mailing; someone else's id is a 404. */
export async function findRun(owner: User, id: number): Promise<RunRow> {
  const run = await MailingRun.findOne({ where: { id }, include: [ownedBy(owner)] });
  if (!run) throw new NotFoundError();
  const lastAttempts = await lastAttemptsOf([run.id]);
  return toRunRow(run, lastAttempts.get(run.id) ?? null);
}

function deliveryWhere(run: RunRow, status: DeliveryStatus | null): WhereOptions<Delivery> {
  return { runId: run.id, ...(status ? { status } : {}) };
}

/** How many deliveries of a run (found with findRun) have the status (for the pager). */
export function countDeliveries(run: RunRow, status: DeliveryStatus | null): Promise<number> {
  return Delivery.count({ where: deliveryWhere(run, status) });
}

/** One page of a run's log (the run found with findRun), in the order the recipients were snapshotted. */
export function listDeliveries(run: RunRow, status: DeliveryStatus | null, page: Window): Promise<Delivery[]> {
  return Delivery.findAll({
    where: deliveryWhere(run, status),
    order: [['id', 'ASC']],
    offset: page.offset,
    limit: page.limit,
  });
}

/** The filtered runs for export, newest first, a chunk per round trip (keyset paging, no OFFSET drift). */
export async function* runChunks(owner: User, filters: ReportFilters, size = EXPORT_CHUNK): AsyncGenerator<RunRow[]> {
  let after: { scheduledAt: Date; id: number } | null = null;
  for (;;) {
    const before: WhereOptions<MailingRun> = after
      ? {
          [Op.or]: [
            { scheduledAt: { [Op.lt]: after.scheduledAt } },
            { scheduledAt: after.scheduledAt, id: { [Op.lt]: after.id } },
          ],
        }
      : {};
    const runs: MailingRun[] = await MailingRun.findAll({
      where: { [Op.and]: [runWhere(filters), before] },
      include: [ownedBy(owner)],
      order: [
        ['scheduledAt', 'DESC'],
        ['id', 'DESC'],
      ],
      limit: size,
    });
    if (runs.length === 0) return;
    const lastAttempts = await lastAttemptsOf(runs.map((run) => run.id));
    yield runs.map((run) => toRunRow(run, lastAttempts.get(run.id) ?? null));
    const last: MailingRun | undefined = runs[runs.length - 1];
    if (!last || runs.length < size) return;
    after = { scheduledAt: last.scheduledAt, id: last.id };
  }
}

/** A run's log (the run found with findRun) for export, by id, a chunk per round trip. */
export async function* deliveryChunks(
  run: RunRow,
  status: DeliveryStatus | null,
  size = EXPORT_CHUNK,
): AsyncGenerator<Delivery[]> {
  let afterId = 0;
  for (;;) {
    const deliveries = await Delivery.findAll({
      where: { ...deliveryWhere(run, status), id: { [Op.gt]: afterId } },
      order: [['id', 'ASC']],
      limit: size,
    });
    if (deliveries.length === 0) return;
    yield deliveries;
    const last = deliveries[deliveries.length - 1];
    if (!last || deliveries.length < size) return;
    afterId = last.id;
  }
}
