import { expect } from 'chai';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { csvLines, safeCell, writeCsv, type CsvCell } from '../../../src/csv-export.js';

describe('writing a CSV to a reader who goes away', () => {
  it('when the reader is gone while a chunk is being read, then the writing ends, the rows stop being read, and nothing hangs', async () => {
    const out = new Writable({ highWaterMark: 16, write: (_chunk, _encoding, done) => done() });
    out.on('error', () => undefined);
    let read = 0;
    let returned = false;
    async function* chunks(): AsyncGenerator<string[]> {
      try {
        for (;;) {
          read += 1;
          // The reader leaves while this chunk is read (as during a slow query): its 'close' has passed by the
          // time the chunk comes.
          if (read === 2) out.destroy();
          await new Promise((resolve) => setTimeout(resolve, 5));
          yield ['a'.repeat(50), 'b'.repeat(50)];
        }
      } finally {
        returned = true;
      }
    }
    const done = writeCsv(out, ['text'], chunks(), (text) => [text]);
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('writeCsv never settled')), 2000));
    await Promise.race([done, timeout]);
    expect(returned).to.equal(true);
    expect(read).to.equal(2);
  });
});

describe('lines of CSV', () => {
  it('when cells hold commas, quotes, line breaks, Cyrillic, numbers, nulls and formulas, then a CSV parser reads back each cell as written (formulas guarded)', () => {
    const rows: CsvCell[][] = [
      ['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\r\nlf', 'Кузнецова Анна', 42, null, '=SUM(A1)', '', ' spaced '],
      ['"', ',', '\n', 0, -1.5, '+7 900', '@home', 'tab\there'],
    ];
    const parsed: string[][] = parse(csvLines(rows), { relax_column_count: true });
    expect(parsed).to.deep.equal(rows.map((row) => row.map((cell) => String(safeCell(cell)))));
    expect(csvLines(rows).endsWith('\n')).to.equal(true);
    expect(csvLines([['a', 'b']])).to.equal('a,b\n');
  });
});
