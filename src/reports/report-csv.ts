// The report's CSV columns (the runs, a run's log): one list each, read by the report's downloads and by the
// account's data archive, so a column means the same in both. Headers are in the reader's language, times in
// their zone.
import type { Writable } from 'node:stream';
import type { User } from '../db/models/index.js';
import { seesEveryMailing } from '../permissions.js';
import { csvDateTime, writeCsv, type CsvCell } from '../csv-export.js';
import type { Translate } from '../i18n/i18n.js';
import type { ExportedDelivery } from './log-export.js';
import type { RunRow } from './reports.service.js';

/** A CSV's columns: the header's translation key, and the cell of a row for a reader's zone and language. */
export type Columns<T> = readonly (readonly [string, (row: T, zone: string, t: Translate) => CsvCell])[];

/** A delivery's error class in words; one without words (old or foreign) as it was stored. */
function errorClassWords(t: Translate, errorClass: string | null): string | null {
  return errorClass && t(`reports.errorClasses.${errorClass}`, { defaultValue: errorClass });
}

/** The report's runs. */
export const RUN_COLUMNS: Columns<RunRow> = [
  ['reports.columns.run', (run) => run.number],
  ['reports.columns.mailing', (run) => run.mailingName],
  ['reports.columns.scheduledAt', (run, zone) => csvDateTime(run.scheduledAt, zone)],
  ['reports.columns.state', (run, _zone, t) => t(`reports.states.${run.state}`)],
  ['reports.columns.total', (run) => run.totalCount],
  ['reports.columns.sent', (run) => run.sentCount],
  ['reports.columns.failed', (run) => run.failedCount],
  ['reports.columns.unknown', (run) => run.unknownCount],
  ['reports.columns.bounced', (run) => run.bouncedCount],
  ['reports.columns.complained', (run) => run.complainedCount],
  ['reports.columns.lastAttemptAt', (run, zone) => csvDateTime(run.lastAttemptAt, zone)],
];

/** The manager's report also says whose each run is. */
const OWNER_COLUMNS: Columns<RunRow> = [
  ['reports.columns.owner', (run) => run.ownerName],
  ['reports.columns.ownerEmail', (run) => run.ownerEmail],
];

/** The report's run columns for a viewer: a manager's have the owner after the mailing. */
export function runColumnsFor(viewer: Pick<User, 'role'>): Columns<RunRow> {
  if (!seesEveryMailing(viewer.role)) return RUN_COLUMNS;
  return [...RUN_COLUMNS.slice(0, 2), ...OWNER_COLUMNS, ...RUN_COLUMNS.slice(2)];
}

/** A run's log, one row per recipient. */
export const DELIVERY_COLUMNS: Columns<ExportedDelivery> = [
  ['reports.columns.email', (delivery) => delivery.email],
  ['reports.columns.fullName', (delivery) => delivery.fullName],
  ['reports.columns.status', (delivery, _zone, t) => t(`reports.statuses.${delivery.status}`)],
  ['reports.columns.attempts', (delivery) => delivery.attemptCount],
  ['reports.columns.lastAttemptAt', (delivery, zone) => csvDateTime(delivery.lastAttemptAt, zone)],
  ['reports.columns.reply', (delivery) => delivery.smtpResponse],
  ['reports.columns.errorClass', (delivery, _zone, t) => errorClassWords(t, delivery.errorClass)],
  ['reports.columns.sentAt', (delivery, zone) => csvDateTime(delivery.sentAt, zone)],
];

/** The reader whose language and zone a CSV is written in. */
export interface CsvReader {
  t: Translate;
  zone: string;
}

/** Writes rows through the columns as CSV (writeCsv: BOM, back-pressure; `begin` once the first chunk came). */
export function writeColumnsCsv<T>(
  out: Writable,
  reader: CsvReader,
  columns: Columns<T>,
  rows: AsyncIterable<T[]>,
  begin?: () => void,
): Promise<void> {
  const header = columns.map(([key]) => reader.t(key));
  const toCells = (row: T): CsvCell[] => columns.map(([, cell]) => cell(row, reader.zone, reader.t));
  return writeCsv(out, header, rows, toCells, begin);
}
