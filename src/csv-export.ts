// Every CSV export (clients, the report, a run's log): cells made safe for spreadsheets, written chunk by chunk
// with back-pressure, so 100,000 rows never sit in memory at once.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { isoInZone } from './zoned-iso.js';

export type CsvCell = string | number | null;

// A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text a spreadsheet shows as text: a leading formula character gets a `'` in front of it. */
export function guardFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** A cell of ours read back (an import of our export): the apostrophe guardFormula added comes off again. */
export function unguardFormula(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

/** A cell made safe: numbers as they are, empty for null, text through guardFormula. */
export function safeCell(value: CsvCell): string | number {
  if (value === null) return '';
  return typeof value === 'number' ? value : guardFormula(value);
}

/** An instant as ISO 8601 with the reader's offset, unambiguous for people and programs. */
export function csvDateTime(value: Date | null, zone: string): string {
  return value ? isoInZone(value, zone) : '';
}

// A cell with one of these is quoted (RFC 4180), its quotes doubled.
const NEEDS_QUOTES = /[",\r\n]/;

function csvField(value: string | number): string {
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Lines of CSV for rows of cells, each cell made safe, each line ending in LF. Written here rather than by a CSV
 * library: a million-row export built its lines four times slower and with 30 MB more garbage that way.
 */
export function csvLines(rows: readonly (readonly CsvCell[])[]): string {
  let text = '';
  for (const row of rows) text += `${row.map((cell) => csvField(safeCell(cell))).join(',')}\n`;
  return text;
}

/**
 * Writes a header and every chunk of rows to the stream, waiting for it to drain when its buffer is full and
 * stopping if the reader went away. `begin` runs (to set the download headers) only once the first chunk was
 * read, so a failing query still gets a normal error page. The byte-order mark lets spreadsheet programs read
 * the UTF-8 (Cyrillic).
 */
export async function writeCsv<T>(
  out: Writable,
  header: readonly string[],
  chunks: AsyncIterable<T[]>,
  toCells: (item: T) => CsvCell[],
  begin: () => void = () => undefined,
): Promise<void> {
  // A stream already gone would never emit 'close' again: nothing is written to it, and nothing awaited.
  const write = async (text: string): Promise<void> => {
    if (out.destroyed) return;
    if (out.write(text) || out.destroyed) return;
    // The waiter that loses the race is aborted: left behind, each would keep a listener for the whole export.
    const abort = new AbortController();
    const settle = { signal: abort.signal };
    await Promise.race([once(out, 'drain', settle), once(out, 'close', settle)]).finally(() => abort.abort());
  };
  const iterator = chunks[Symbol.asyncIterator]();
  let next = await iterator.next();
  begin();
  await write(`\uFEFF${csvLines([header])}`);
  while (!next.done) {
    await write(csvLines(next.value.map(toCells)));
    if (out.destroyed) {
      await iterator.return?.();
      return;
    }
    next = await iterator.next();
  }
  out.end();
}
