// `node --import tsx bench/report-cpu.ts`: the report screens of bench:scale on a data set kept between runs, so a
// change can be measured before and after on the same rows (and the server profiled with --cpu-prof). The first
// run builds issue 17's data set (bench/scale-data.ts) in a database named by --keep (a SQLite file, or a
// PostgreSQL database of that name beside DATABASE_URL) and leaves it there; later runs reuse it. Then the
// production server is started on it, the big and the small customer sign in, and each report screen is asked
// for one request at a time (--requests, after warm-up) and by 10 users at once; p50/p95 and the load are printed.
// --profile=DIR starts the server with --cpu-prof into DIR (written when it stops).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { migrateUp } from '../src/db/migrations.js';
import { BENCH_PASSWORD, buildScaleData, FULL_SIZES, scaled } from './scale-data.js';
import { headersOf, quantile, timeRequest, type Target } from './scale-measure.js';
import { signIn, startServer, stopServer } from './server.js';

const { values } = parseArgs({
  options: {
    keep: { type: 'string', default: path.join(os.tmpdir(), 'h17report_scale') },
    scale: { type: 'string', default: '1' },
    requests: { type: 'string', default: '60' },
    profile: { type: 'string' },
    only: { type: 'string', default: 'report,last30,mailings' },
  },
});
const DAY_MS = 86_400_000;
const base = process.env.DATABASE_URL ?? '';
const postgres = /^postgres(ql)?:\/\//.test(base);

/** The kept database's URL and whether it already holds the data set. */
async function keptDatabase(): Promise<{ url: string; fresh: boolean }> {
  const name = path.basename(values.keep).replace(/[^a-z0-9_]/gi, '_');
  if (!postgres) {
    mkdirSync(values.keep, { recursive: true });
    const file = path.join(values.keep, 'scale.sqlite');
    return { url: `sqlite:${file}`, fresh: !existsSync(file) };
  }
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
    const url = new URL(base);
    url.pathname = `/${name}`;
    return { url: url.href, fresh: found.rowCount === 0 };
  } finally {
    await client.end();
  }
}

async function buildIfFresh(url: string, fresh: boolean): Promise<void> {
  if (!fresh) return;
  const sequelize = await openDatabase(loadConfig({ ...process.env, DATABASE_URL: url }).database);
  try {
    await migrateUp(sequelize);
    const factor = Number(values.scale);
    const started = performance.now();
    await buildScaleData(sequelize, factor === 1 ? FULL_SIZES : scaled(factor));
    process.stdout.write(`built the data set in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } finally {
    await sequelize.close();
  }
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const ms = (value: number) => value.toFixed(1);
const load = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** The server's CPU time so far (user + system, ms), from /proc: what a request costs, whatever the load. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

async function single(target: Target, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let k = 0; k < count; k += 1) times.push(await timeRequest(target));
  return times;
}

async function concurrent(target: Target, users: number, each: number): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: users }, async () => {
      for (let k = 0; k < each; k += 1) times.push(await timeRequest(target));
    }),
  );
  return times;
}

const { url, fresh } = await keptDatabase();
await buildIfFresh(url, fresh);
const profileEnv: Record<string, string> = values.profile
  ? {
      NODE_OPTIONS: `--import=tsx --import=${path.join(import.meta.dirname, 'cpu-profile-preload.ts')}`,
      CPU_PROFILE_DIR: path.resolve(values.profile),
    }
  : {};
const server = await startServer(url, { CACHE: 'off', ...profileEnv });
try {
  const big = await signIn(server.base, 'big@bench.example.org', BENCH_PASSWORD);
  const small = await signIn(server.base, 'small@bench.example.org', BENCH_PASSWORD);
  const now = Date.now();
  const screens: Record<string, string> = {
    report: '/reports',
    last30: `/reports?from=${day(now - 29 * DAY_MS)}&to=${day(now)}`,
    mailings: '/mailings',
  };
  const requests = Number(values.requests);
  process.stdout.write(`${postgres ? 'PostgreSQL' : 'SQLite'} ${url}, load ${load()}\n`);
  for (const name of values.only.split(',')) {
    for (const [who, cookie] of [
      ['big', big],
      ['small', small],
    ] as const) {
      const target = { url: `${server.base}${screens[name]}`, cookie };
      const bytes = (await (await fetch(target.url, { headers: headersOf(cookie) })).arrayBuffer()).byteLength;
      await single(target, 5);
      const cpuBefore = cpuMs(server.child.pid as number);
      const one = await single(target, requests);
      const cpu = (cpuMs(server.child.pid as number) - cpuBefore) / requests;
      const ten = await concurrent(target, 10, Math.max(2, Math.round(requests / 10)));
      process.stdout.write(
        `${name.padEnd(9)} ${who.padEnd(5)} ${String(bytes).padStart(7)} B  single p50 ${ms(quantile(one, 0.5))}` +
          ` p95 ${ms(quantile(one, 0.95))}  10 users p50 ${ms(quantile(ten, 0.5))} p95 ${ms(quantile(ten, 0.95))}` +
          `  server CPU ${ms(cpu)} ms/request  load ${load()}\n`,
      );
    }
  }
} finally {
  await stopServer(server);
}
