// The address book as CSV: reading an upload (encoding, size, header, rows), checking each row against the
// client rules and the owner's book, and writing an export that spreadsheets cannot run as formulas.
import { CsvError, parse, type Options } from 'csv-parse/sync';
import { csvDateTime, unguardFormula, type CsvCell } from '../csv-export.js';
import { normaliseEmail } from '../db/models/email.js';
import { parseForm, type FieldErrors } from '../forms/parse-form.js';
import { clientForm, plainClientInput, type ClientInput } from './client.form.js';

export const MAX_IMPORT_ROWS = 5000;
/** What the confirm form can carry back (multer's and the body parser's 1 MB field limit, with room to spare). */
export const MAX_IMPORT_BYTES = 1_000_000;
export const EXPORT_COLUMNS = ['email', 'full_name', 'comment', 'unsubscribed_at'] as const;

/** Why a whole file is refused: an i18n key and its values. */
export interface CsvProblem {
  key: string;
  params?: Record<string, number>;
}

/** One data row as written in the file; `row` is its line in the file (the header is row 1). */
export interface CsvRow {
  row: number;
  email: string;
  fullName: string;
  comment: string;
}

export type CsvRead = { ok: true; rows: CsvRow[] } | { ok: false; problem: CsvProblem };
export type CsvText = { ok: true; text: string } | { ok: false; problem: CsvProblem };

/** new: will be imported; invalid: breaks a rule; duplicate: same e-mail earlier in the file; exists: in the book. */
export type RowStatus = 'new' | 'invalid' | 'duplicate' | 'exists';

export interface CheckedRow extends CsvRow {
  status: RowStatus;
  errors: FieldErrors;
  /** The cleaned values, for rows that passed the rules. */
  input?: ClientInput;
}

export interface ImportSummary {
  total: number;
  new: number;
  invalid: number;
  duplicate: number;
  exists: number;
  skipped: number;
}

// Header names are compared without case, spaces, '_' or '-': `full_name`, `fullName` and `Full name` are one.
const HEADER_ALIASES = new Map<string, keyof Omit<CsvRow, 'row'>>([
  ['email', 'email'],
  ['emailaddress', 'email'],
  ['fullname', 'fullName'],
  ['name', 'fullName'],
  ['comment', 'comment'],
]);

// Spreadsheets run a cell starting with one of these as a formula (OWASP's list for CSV injection).

/** Turns an upload into text, refusing what is too big, binary, or not UTF-8 (a BOM is dropped). */
export function decodeCsv(input: Buffer): CsvText {
  if (input.length > MAX_IMPORT_BYTES) return { ok: false, problem: { key: 'clients.import.tooBig' } };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    return { ok: false, problem: { key: 'clients.import.notUtf8' } };
  }
  if (text.includes('\0')) return { ok: false, problem: { key: 'clients.import.notUtf8' } };
  return { ok: true, text };
}

/** How csv-parse reads a clients file (the preview and the background import alike). */
export function csvParseOptions(delimiter: string): Options {
  return {
    bom: true,
    delimiter,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
  };
}

/** Reads the header and the rows of a clients CSV; refuses files it cannot read whole. */
export function readClientsCsv(text: string): CsvRead {
  if (Buffer.byteLength(text, 'utf8') > MAX_IMPORT_BYTES)
    return { ok: false, problem: { key: 'clients.import.tooBig' } };
  if (text.trim() === '') return { ok: false, problem: { key: 'clients.import.empty' } };
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info`, each record comes with the line it ends on (the typings only know plain records).
    records = parse(text, csvParseOptions(delimiterOf(text))) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = typeof error.lines === 'number' ? error.lines : 0;
    return { ok: false, problem: { key: 'clients.import.unreadable', params: { line } } };
  }
  const [header, ...data] = records;
  const fields = headerFields(header?.record ?? []);
  if (!fields.includes('email')) return { ok: false, problem: { key: 'clients.import.noEmailColumn' } };
  if (data.length === 0) return { ok: false, problem: { key: 'clients.import.empty' } };
  if (data.length > MAX_IMPORT_ROWS) {
    return { ok: false, problem: { key: 'clients.import.tooManyRows', params: { max: MAX_IMPORT_ROWS } } };
  }
  const rows = data.map(({ record, info }) => rowOf(record, info.lines, fields));
  return { ok: true, rows };
}

/** Which field each column of the header holds (undefined: a column the import ignores). */
export type ColumnFields = (keyof Omit<CsvRow, 'row'> | undefined)[];

/** Reads the header row: the columns named email, full_name (or name) and comment, in any case and spelling. */
export function headerFields(header: string[]): ColumnFields {
  return header.map((name) =>
    HEADER_ALIASES.get(
      name
        .trim()
        .toLowerCase()
        .replace(/[\s_-]/g, ''),
    ),
  );
}

/** One data record of the file as a row, by the header's fields; `line` is where it ends in the file. */
export function rowOf(record: string[], line: number, fields: ColumnFields): CsvRow {
  const row: CsvRow = { row: line, email: '', fullName: '', comment: '' };
  fields.forEach((field, column) => {
    if (field && row[field] === '') row[field] = cellValue(record[column] ?? '');
  });
  return row;
}

/**
 * The client rules for one row, the same for the preview and the background import: the form's schema, then a
 * repeat of an e-mail earlier in the file (`seen`, updated here), then one already in the book (`existing`).
 */
export function checkRow(row: CsvRow, seen: Set<string>, existing: ReadonlySet<string>): CheckedRow {
  // The form's rules without zod first (the same checks); zod runs for the rows they refuse, for the message.
  let clean = plainClientInput(row.email, row.fullName, row.comment);
  if (clean === null) {
    const form = parseForm(clientForm, { email: row.email, fullName: row.fullName, comment: row.comment });
    if (!form.ok) return { ...row, status: 'invalid', errors: form.errors };
    clean = form.data;
  }
  const email = normaliseEmail(clean.email);
  const input = { ...clean, email };
  if (seen.has(email)) return { ...row, status: 'duplicate', errors: {}, input };
  seen.add(email);
  return { ...row, status: existing.has(email) ? 'exists' : 'new', errors: {}, input };
}

/** Applies the client rules to every row; `existing` holds the owner's e-mails (normalised). */
export function checkRows(rows: CsvRow[], existing: ReadonlySet<string>): CheckedRow[] {
  const seen = new Set<string>();
  return rows.map((row) => checkRow(row, seen, existing));
}

/** How many rows fall in each status (everything not new is skipped). */
export function summarise(rows: CheckedRow[]): ImportSummary {
  const count = (status: RowStatus): number => rows.filter((row) => row.status === status).length;
  const summary = { total: rows.length, new: count('new'), invalid: count('invalid'), duplicate: count('duplicate') };
  const exists = count('exists');
  return { ...summary, exists, skipped: summary.invalid + summary.duplicate + exists };
}

export interface ExportedClient {
  email: string;
  fullName: string;
  comment: string;
  unsubscribedAt: Date | null;
}

/** The export's cells of one client: the columns an import reads back, the date in the reader's zone. */
export function clientCells(client: ExportedClient, zone: string): CsvCell[] {
  return [client.email, client.fullName, client.comment, csvDateTime(client.unsubscribedAt, zone)];
}

// A file we exported comes back as it was: the apostrophe added by guardFormula is taken off again.
// Line breaks inside cells become \n, so the text carried by the confirm form (browsers send CRLF) reads the same.
function cellValue(raw: string): string {
  return unguardFormula(raw.replace(/\r\n?/g, '\n'));
}

/** Spreadsheets in many locales (Russian among them) save CSV with semicolons: follow the header line. */
export function delimiterOf(text: string): string {
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const count = (char: string): number => firstLine.split(char).length - 1;
  const candidates = [',', ';', '\t'];
  return candidates.reduce((best, char) => (count(char) > count(best) ? char : best), ',');
}
