// Reading an import's file as a stream: the bytes checked as UTF-8 on the way, the delimiter taken from the header
// line, csv-parse's records turned into rows by the same header rules as the preview (clients-csv.ts).
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { csvParseOptions, delimiterOf, headerFields, rowOf, type ColumnFields, type CsvRow } from './clients-csv.js';

/** Why a whole file is refused mid-way: an i18n key of `clients.import`, and the line it names. */
export class ImportProblem extends Error {
  constructor(
    readonly key: string,
    readonly line?: number,
  ) {
    super(key);
  }
}

/** A batch of rows and how far into the file (bytes) the parser had read when it was made. */
export interface RowBatch {
  rows: CsvRow[];
  readBytes: number;
}

// Refuses bytes that are not UTF-8 (or hold NUL) as they stream past, instead of decoding them into U+FFFD.
class Utf8Check extends Transform {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      const text = this.decoder.decode(chunk, { stream: true });
      if (text.includes('\0')) throw new Error('NUL');
      done(null, text);
    } catch {
      done(new ImportProblem('clients.import.notUtf8'));
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      done(null, this.decoder.decode());
    } catch {
      done(new ImportProblem('clients.import.notUtf8'));
    }
  }
}

async function firstLineOf(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * The file's data rows in batches of `size`, streamed; an unreadable file throws an ImportProblem. A row's number
 * is its record's, the header being 1, as a spreadsheet numbers it (csv-parse's per-record `info`, which would
 * give the line, costs more than the parse itself).
 */
export async function* rowBatches(file: string, size: number): AsyncGenerator<RowBatch> {
  const { info: _info, ...options } = csvParseOptions(delimiterOf(await firstLineOf(file)));
  const input = createReadStream(file);
  const parser = input.pipe(new Utf8Check()).pipe(parse(options));
  let fields: ColumnFields | null = null;
  let rows: CsvRow[] = [];
  let number = 1;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!fields) {
        fields = headerFields(record);
        if (!fields.includes('email')) throw new ImportProblem('clients.import.noEmailColumn');
        continue;
      }
      number += 1;
      rows.push(rowOf(record, number, fields));
      if (rows.length >= size) {
        yield { rows, readBytes: input.bytesRead };
        rows = [];
      }
    }
  } catch (error) {
    if (error instanceof CsvError) {
      throw new ImportProblem('clients.import.unreadable', typeof error.lines === 'number' ? error.lines : 0);
    }
    throw error;
  }
  if (!fields) throw new ImportProblem('clients.import.empty');
  if (rows.length > 0) yield { rows, readBytes: input.bytesRead };
}
