import { expect } from 'chai';
import {
  MAX_IMPORT_BYTES,
  MAX_IMPORT_ROWS,
  checkRows,
  clientCells,
  decodeCsv,
  readClientsCsv,
  summarise,
  type CsvRow,
} from '../../../src/clients/clients-csv.js';
import { csvLines, guardFormula } from '../../../src/csv-export.js';

function rowsOf(text: string): CsvRow[] {
  const read = readClientsCsv(text);
  if (!read.ok) throw new Error(`unexpected problem ${read.problem.key}`);
  return read.rows;
}

function problemOf(text: string): string {
  const read = readClientsCsv(text);
  if (read.ok) throw new Error('expected a problem');
  return read.problem.key;
}

describe('clients CSV rules', () => {
  it('when the header uses email/full_name/comment or their aliases, then the columns are found in any order', () => {
    expect(rowsOf('comment,full_name,email\nhi,Ada,ada@x.test')).to.deep.equal([
      { row: 2, email: 'ada@x.test', fullName: 'Ada', comment: 'hi' },
    ]);
    for (const header of ['name', 'fullName', 'Full Name', 'FULL_NAME']) {
      expect(rowsOf(`E-mail,${header}\nada@x.test,Ada`)[0]).to.include({ fullName: 'Ada' });
    }
  });

  it('when rows are short, blank or have extra columns, then missing cells are empty, blank rows are left out and rows keep their line', () => {
    expect(rowsOf('email,full_name,comment,phone\na@x.test\n\n,,,\nb@x.test,B,c,555,extra')).to.deep.equal([
      { row: 2, email: 'a@x.test', fullName: '', comment: '' },
      { row: 5, email: 'b@x.test', fullName: 'B', comment: 'c' },
    ]);
  });

  it('when the header line uses semicolons or tabs, then that is the delimiter', () => {
    expect(rowsOf('email;name\na@x.test;Smith, John')[0]).to.include({ fullName: 'Smith, John' });
    expect(rowsOf('email\tname\na@x.test\tJohn')[0]).to.include({ fullName: 'John' });
  });

  it('when a file cannot be used whole, then the problem says why', () => {
    expect(problemOf('')).to.equal('clients.import.empty');
    expect(problemOf('email\n')).to.equal('clients.import.empty');
    expect(problemOf('name,comment\nAda,hi')).to.equal('clients.import.noEmailColumn');
    expect(problemOf('email\n"open')).to.equal('clients.import.unreadable');
    const rows = Array.from({ length: MAX_IMPORT_ROWS }, (_, n) => `r${n}@x.test`);
    expect(rowsOf(['email', ...rows].join('\n'))).to.have.length(MAX_IMPORT_ROWS);
    expect(problemOf(['email', ...rows, 'one-more@x.test'].join('\n'))).to.equal('clients.import.tooManyRows');
    expect(problemOf(`email\n${'a'.repeat(MAX_IMPORT_BYTES)}`)).to.equal('clients.import.tooBig');
  });

  it('when an upload is not UTF-8 text, then it is refused; a BOM is dropped', () => {
    expect(decodeCsv(Buffer.from('email\nzoé@x.test', 'utf8'))).to.deep.equal({ ok: true, text: 'email\nzoé@x.test' });
    expect(decodeCsv(Buffer.from('\uFEFFemail', 'utf8'))).to.deep.equal({ ok: true, text: 'email' });
    expect(decodeCsv(Buffer.from('email\nzo\xe9@x.test', 'latin1'))).to.deep.include({ ok: false });
    expect(decodeCsv(Buffer.from([0x65, 0x00, 0x6d]))).to.deep.include({ ok: false });
    expect(decodeCsv(Buffer.alloc(MAX_IMPORT_BYTES + 1, 0x61))).to.deep.equal({
      ok: false,
      problem: { key: 'clients.import.tooBig' },
    });
  });

  it('when rows are checked, then each is new, invalid, a repeat in the file, or already a client', () => {
    const rows = checkRows(
      rowsOf('email,comment\nNew@X.test,\nbad,\nnew@x.test ,\nOLD@x.test,\nlong@x.test,' + 'c'.repeat(1001)),
      new Set(['old@x.test']),
    );
    expect(rows.map((row) => row.status)).to.deep.equal(['new', 'invalid', 'duplicate', 'exists', 'invalid']);
    expect(rows[0]?.input).to.deep.equal({ email: 'new@x.test', fullName: '', comment: '' });
    expect(rows[1]?.errors).to.deep.equal({ email: 'forms.emailInvalid' });
    expect(rows[4]?.errors).to.deep.equal({ comment: 'forms.tooLong' });
    expect(summarise(rows)).to.deep.equal({ total: 5, new: 1, invalid: 2, duplicate: 1, exists: 1, skipped: 4 });
  });

  it('when a cell starts with = + - @ tab or CR, then the export prefixes an apostrophe', () => {
    for (const value of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
      expect(guardFormula(value)).to.equal(`'${value}`);
    for (const value of ['plain', '', 'a=b', "'quoted"]) expect(guardFormula(value)).to.equal(value);
  });

  it("when clients are exported, then cells are guarded and dates are ISO in the reader's zone", () => {
    const a = {
      email: 'a@x.test',
      fullName: '=cmd',
      comment: 'x, "y"',
      unsubscribedAt: new Date('2026-01-02T03:04:05Z'),
    };
    const b = { email: 'b@x.test', fullName: '', comment: '', unsubscribedAt: null };
    const csv = csvLines([clientCells(a, 'Europe/Moscow'), clientCells(b, 'UTC')]);
    expect(csv).to.equal(`a@x.test,'=cmd,"x, ""y""",2026-01-02T06:04:05+03:00\n` + 'b@x.test,,,\n');
  });

  it('when an exported file is read back, then the guard apostrophe is taken off', () => {
    const cells = clientCells({ email: 'a@x.test', fullName: '-dash', comment: '=sum', unsubscribedAt: null }, 'UTC');
    const csv = csvLines([['email', 'full_name', 'comment', 'unsubscribed_at'], cells]);
    expect(rowsOf(csv)[0]).to.include({ fullName: '-dash', comment: '=sum' });
  });
});
