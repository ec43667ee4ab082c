// The home page's statistics on bench:scale's data set (100,000 clients of an "all my clients" customer, a small
// customer with chosen clients): the kept counts that the page reads (migration 0032) against the scan they
// replaced, timed in one run so the machine's load weighs on both alike. `--scale=0.1` shrinks the data.
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { migrateUp } from '../src/db/migrations.js';
import { computeHomeStats, countHomeStatsAfresh, type HomeStats } from '../src/home/home-stats.js';
import { createScratchDatabase } from '../test/support/database.js';
import { buildScaleData, FULL_SIZES, scaled } from './scale-data.js';
import { loadAverage } from './scale-report.js';

const { values } = parseArgs({ options: { scale: { type: 'string', default: '1' } } });
const factor = Number(values.scale);
const TRIES = 20;

/** The median and 95th percentile, in milliseconds, of `TRIES` calls (after one warm-up). */
async function timed(work: () => Promise<HomeStats>): Promise<{ p50: number; p95: number; stats: HomeStats }> {
  const stats = await work();
  const times: number[] = [];
  for (let k = 0; k < TRIES; k += 1) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), stats };
}

const scratch = await createScratchDatabase();
try {
  const sequelize = await openDatabase(loadConfig({ ...process.env, DATABASE_URL: scratch.url }).database);
  try {
    await migrateUp(sequelize);
    const built = performance.now();
    await buildScaleData(sequelize, factor === 1 ? FULL_SIZES : scaled(factor));
    const buildSeconds = ((performance.now() - built) / 1000).toFixed(1);
    const kept = await timed(() => computeHomeStats(sequelize));
    const afresh = await timed(() => countHomeStatsAfresh(sequelize));
    const line = (name: string, t: typeof kept) =>
      `${name}: p50 ${t.p50.toFixed(2)} ms, p95 ${t.p95.toFixed(2)} ms ${JSON.stringify(t.stats)}\n`;
    process.stdout.write(
      `${sequelize.getDialect()}, scale ${factor}, data built in ${buildSeconds} s, ${loadAverage()}\n`,
    );
    process.stdout.write(line('kept counts (the page)', kept) + line('scan (before)', afresh));
  } finally {
    await sequelize.close();
  }
} finally {
  await scratch.drop();
}
