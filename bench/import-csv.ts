// The generated client CSV the import benchmarks read: `rows` data rows, one in 1,000 invalid and one in 1,000
// repeating an earlier e-mail in another case, a comment on every third row.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** Writes the file (with its header line), honouring back-pressure. */
export async function writeImportCsv(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  out.write('email,full_name,comment\n');
  for (let i = 0; i < rows; i += 1) {
    const email =
      i % 1000 === 7 ? `broken${i}` : i % 1000 === 9 ? `Person${i - 1}@Example.test` : `person${i}@example.test`;
    const line = `${email},Person Number ${i},${i % 3 === 0 ? 'a comment about them' : ''}\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
