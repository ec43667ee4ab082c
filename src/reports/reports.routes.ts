// The report door: conducted runs with filters and a per-day chart, each run's per-recipient log, CSV exports.
import type { Request, Response, Router } from 'express';
import { DateTime } from 'luxon';
import type { User } from '../db/models/index.js';
import { DELIVERY_STATUSES, RUN_STATES } from '../db/models/index.js';
import { parseForm, type FieldErrors } from '../forms/parse-form.js';
import { can, currentUser } from '../web/middleware/current-user.js';
import { renderPageOrFragment, wantsFragment } from '../web/middleware/htmx.js';
import { pageOf } from '../web/pagination.js';
import { idParam } from '../web/params.js';
import { routeTable } from '../web/route-table.js';
import { chartGeometry } from './report-chart.js';
import { reportFilterForm, reportFilterQuery, runLogFilterForm, type ReportFilters } from './report.form.js';
import { mailingOwners } from '../mailings/mailings.service.js';
import { seesEveryMailing } from '../permissions.js';
import { DELIVERY_COLUMNS, runColumnsFor, writeColumnsCsv, type Columns } from './report-csv.js';
import {
  CHART_MAX_DAYS,
  countDeliveries,
  countRuns,
  deliveriesPerDay,
  deliveryChunks,
  findRun,
  hasAnyRun,
  listDeliveries,
  listMailingChoices,
  listRuns,
  runChunks,
  type MailingChoice,
  type RunRow,
} from './reports.service.js';

const REPORT_VIEWS = { page: 'reports/index', fragment: 'reports/_results' };
const RUN_VIEWS = { page: 'reports/run', fragment: 'reports/_deliveries' };

/** The query's fields as strings, to put back into the filter form as the user typed them. */
function typedValues(query: unknown, fields: readonly string[]): Record<string, string> {
  const source = query && typeof query === 'object' ? (query as Record<string, unknown>) : {};
  return Object.fromEntries(fields.map((field) => [field, typeof source[field] === 'string' ? source[field] : '']));
}

/** The filters of a report request, or the field errors that stop it. */
async function readFilters(req: Request, owner: User) {
  const mailings = await listMailingChoices(owner);
  // A manager's report can narrow to one owner (everyone who has a mailing); a customer's is theirs alone.
  const owners = seesEveryMailing(owner.role) ? await mailingOwners() : [];
  const ids = { mailingIds: mailings.map((mailing) => mailing.id), ownerIds: owners.map((user) => user.id) };
  const form = parseForm(reportFilterForm({ timeZone: owner.timeZone, ...ids }), req.query);
  return { mailings, owners, form, values: typedValues(req.query, ['from', 'to', 'mailing', 'owner', 'state']) };
}

/** The format once per day: a chart names each of its days several times (bar titles, summary, table). */
function oncePerDay(format: (day: string) => string): (day: string) => string {
  const written = new Map<string, string>();
  return (day) => {
    let text = written.get(day);
    if (text === undefined) {
      text = format(day);
      written.set(day, text);
    }
    return text;
  };
}

function dayFormatter(req: Request): (day: string) => string {
  return oncePerDay((day) =>
    DateTime.fromISO(day).setLocale(req.language).toLocaleString({ day: 'numeric', month: 'short' }),
  );
}

function longDayFormatter(req: Request): (day: string) => string {
  return oncePerDay((day) => DateTime.fromISO(day).setLocale(req.language).toLocaleString(DateTime.DATE_MED));
}

function download(res: Response, filename: string): void {
  res.attachment(filename);
  res.set('Cache-Control', 'no-store');
}

function withQuery(path: string, query: string): string {
  return query ? `${path}?${query}` : path;
}

/** Registers /reports routes: customers see their own runs, managers everyone's. */
export function reportRoutes(): Router {
  const read = can('reports:read', 'mailings:oversee');
  return routeTable([
    ['get', '/reports', read, reportPage],
    ['get', '/reports/export.csv', read, reportCsv],
    [
      'get',
      '/reports/runs/:id',
      read,
      async (req, res) => renderRunLog(req, res, await findRun(currentUser(req), idParam(req))),
    ],
    ['get', '/reports/runs/:id/export.csv', read, runLogCsv],
  ]);
}

type InvalidReport = {
  mailings: MailingChoice[];
  owners: User[];
  values: Record<string, string>;
  errors: FieldErrors;
};

function renderInvalidReport(req: Request, res: Response, locals: InvalidReport): void {
  res.status(422);
  renderPageOrFragment(req, res, REPORT_VIEWS, {
    title: req.t('reports.title'),
    ...locals,
    states: RUN_STATES,
    filtersOob: wantsFragment(req),
    invalid: true,
    rows: [],
  });
}

async function reportPage(req: Request, res: Response): Promise<void> {
  const owner = currentUser(req);
  const { mailings, owners, form, values } = await readFilters(req, owner);
  if (!form.ok) return renderInvalidReport(req, res, { mailings, owners, values, errors: form.errors });
  const filters = form.data;
  const page = pageOf(req.query.page, await countRuns(owner, filters));
  const rows = await listRuns(owner, filters, page);
  const daily = await deliveriesPerDay(owner, filters);
  const query = reportFilterQuery(filters);
  renderPageOrFragment(req, res, REPORT_VIEWS, {
    title: req.t('reports.title'),
    mailings,
    owners,
    states: RUN_STATES,
    values,
    errors: {},
    filtersOob: wantsFragment(req),
    invalid: false,
    rows,
    page,
    anyRun: rows.length > 0 || (await hasAnyRun(owner)),
    chart: chartGeometry(daily.days),
    chartTruncated: daily.truncated,
    chartMaxDays: CHART_MAX_DAYS,
    formatDay: dayFormatter(req),
    formatLongDay: longDayFormatter(req),
    pageUrl: (n: number) => withQuery('/reports', [query, `page=${n}`].filter(Boolean).join('&')),
    exportUrl: withQuery('/reports/export.csv', query),
  });
}

/** Streams rows as a CSV download in the viewer's language and time zone. */
function sendCsv<T>(req: Request, res: Response, columns: Columns<T>, rows: AsyncIterable<T[]>, filename: string) {
  const reader = { t: req.t, zone: currentUser(req).timeZone };
  return writeColumnsCsv(res, reader, columns, rows, () => download(res, filename));
}

async function reportCsv(req: Request, res: Response): Promise<void> {
  const owner = currentUser(req);
  const { mailings, owners, form, values } = await readFilters(req, owner);
  if (!form.ok) return renderInvalidReport(req, res, { mailings, owners, values, errors: form.errors });
  const filters: ReportFilters = form.data;
  const filename = `report-${DateTime.now().setZone(owner.timeZone).toFormat('yyyy-MM-dd')}.csv`;
  await sendCsv(req, res, runColumnsFor(owner), runChunks(owner, filters), filename);
}

async function renderRunLog(req: Request, res: Response, run: RunRow): Promise<void> {
  const locals = {
    title: req.t('reports.run.title', { number: run.number, name: run.mailingName }),
    overseer: seesEveryMailing(currentUser(req).role),
    run,
    statuses: DELIVERY_STATUSES,
    values: typedValues(req.query, ['status']),
    filtersOob: wantsFragment(req),
  };
  const form = parseForm(runLogFilterForm, req.query);
  if (!form.ok) {
    res.status(422);
    return renderPageOrFragment(req, res, RUN_VIEWS, { ...locals, errors: form.errors, invalid: true, rows: [] });
  }
  const { status } = form.data;
  const page = pageOf(req.query.page, await countDeliveries(run, status));
  const query = status ? `status=${status}` : '';
  renderPageOrFragment(req, res, RUN_VIEWS, {
    ...locals,
    errors: {},
    invalid: false,
    status,
    page,
    rows: await listDeliveries(run, status, page),
    pageUrl: (n: number) => withQuery(`/reports/runs/${run.id}`, [query, `page=${n}`].filter(Boolean).join('&')),
    exportUrl: withQuery(`/reports/runs/${run.id}/export.csv`, query),
  });
}

async function runLogCsv(req: Request, res: Response): Promise<void> {
  const run = await findRun(currentUser(req), idParam(req));
  const form = parseForm(runLogFilterForm, req.query);
  if (!form.ok) return renderRunLog(req, res, run);
  const { status } = form.data;
  await sendCsv(
    req,
    res,
    DELIVERY_COLUMNS,
    deliveryChunks(run, status),
    `run-${run.id}${status ? `-${status}` : ''}.csv`,
  );
}
