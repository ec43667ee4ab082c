// Client CSV import speed (issue 17): builds a CSV of N rows (a few invalid and repeated ones among them), runs the
// background import into a scratch database of the configured dialect, prints rows/s and the load average.
// Usage: node --import tsx bench/client-import.ts [rows ...]   (DATABASE_URL=postgres://… for PostgreSQL)
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runClientImport } from '../src/clients/client-import-job.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { migrateUp } from '../src/db/migrations.js';
import { Client, ClientImport, User } from '../src/db/models/index.js';
import { createScratchDatabase } from '../test/support/database.js';
import { writeImportCsv } from './import-csv.js';

process.env.LOG_LEVEL ??= 'silent';

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
    await writeImportCsv(file, rows);
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
