// Client CSV import speed (issue 17): builds a CSV of N rows (a few invalid and repeated ones among them), runs the
// background import into a scratch database of the configured dialect, prints rows/s and the load average.
// Usage: node --import tsx bench/client-import.ts [rows ...]   (DATABASE_URL=postgres://… for PostgreSQL)
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { runClientImport } from '../src/clients/client-import-job.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { migrateUp } from '../src/db/migrations.js';
import { Client, ClientImport, User } from '../src/db/models/index.js';
import { createScratchDatabase } from '../test/support/database.js';

process.env.LOG_LEVEL ??= 'silent';

// A file of `rows` data rows: one row in 1,000 is invalid and one in 1,000 repeats an earlier e-mail.
async function writeCsv(file: string, rows: number): Promise<void> {
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

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const dir = await mkdtemp(path.join(os.tmpdir(), 'mailer-bench-import-'));
const scratch = await createScratchDatabase();
const config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: scratch.url, SCHEDULER: 'off' });
const sequelize = await openDatabase(config.database);
try {
  await migrateUp(sequelize);
  for (const rows of sizes.length > 0 ? sizes : [200_000]) {
    const file = path.join(dir, `clients-${rows}.csv`);
    await writeCsv(file, rows);
    const owner = await User.create({
      email: `bench${rows}-${Date.now()}@example.test`,
      passwordHash: 'x',
      fullName: 'Bench',
      role: 'user',
      timeZone: 'UTC',
    });
    const job = await ClientImport.create({ ownerId: owner.id, fileName: 'bench.csv', filePath: file });
    const before = os.loadavg()[0] ?? 0;
    const start = performance.now();
    await runClientImport(sequelize, job.id);
    const seconds = (performance.now() - start) / 1000;
    await job.reload();
    const stored = await Client.count({ where: { ownerId: owner.id } });
    console.log(
      `${config.database.dialect} ${rows} rows: ${seconds.toFixed(1)} s, ${Math.round(rows / seconds)} rows/s` +
        ` (status ${job.status}, imported ${job.importedCount}, stored ${stored}, invalid ${job.invalidCount},` +
        ` repeated ${job.duplicateCount}) load ${before.toFixed(2)} → ${(os.loadavg()[0] ?? 0).toFixed(2)}`,
    );
  }
} finally {
  await sequelize.close();
  await scratch.drop();
  await rm(dir, { recursive: true, force: true });
}
