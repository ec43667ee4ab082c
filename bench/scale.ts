// `npm run bench:scale`: issue 17's data set built by SQL in a scratch database of the configured dialect, then the
// production server (`mailer serve`) measured on it: every screen for the big and the small customer, the
// neighbour effect, a million-recipient run's snapshot, the exports (first byte, server RSS), a million-row CSV
// import. `--only screens,neighbour,explain,snapshot,export,import` picks phases (explain: PostgreSQL's plans of the big
// customer's screens) (the data set is built once either way);
// `--scale=0.01` shrinks every count for a quick try. The scratch database is dropped at the end, also on failure.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connection.js';
import { migrateUp } from '../src/db/migrations.js';
import { createScratchDatabase } from '../test/support/database.js';
import { BENCH_PASSWORD, buildScaleData, createCustomer, FULL_SIZES, scaled, type ScaleSizes } from './scale-data.js';
import { explainPhase } from './scale-explain.js';
import { exportPhase } from './scale-export.js';
import { importPhase } from './scale-import.js';
import { figureLine, loadAverage, phaseHeading, printMarkdown } from './scale-report.js';
import { neighbourPhase, screensPhase, type Session } from './scale-screens.js';
import { snapshotPhase } from './scale-snapshot.js';
import { signIn, startServer, stopServer } from './server.js';

const PHASES = ['screens', 'neighbour', 'explain', 'snapshot', 'export', 'import'] as const;
type Phase = (typeof PHASES)[number];
const MILLION = 1_000_000;
const BUILD_GOAL_SECONDS = 60;

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    only: { type: 'string', default: PHASES.join(',') },
    seconds: { type: 'string', default: '4' },
  },
});
const factor = Number(values.scale);
const seconds = Number(values.seconds);
const only = new Set(values.only.split(',').map((name) => name.trim()));
const unknown = [...only].filter((name) => !(PHASES as readonly string[]).includes(name));
if (!(factor > 0 && factor <= 1) || !(seconds > 0) || unknown.length > 0) {
  process.stderr.write(
    `bench:scale: --scale must be in (0, 1], --seconds positive, --only a comma list of ${PHASES.join(', ')}` +
      (unknown.length > 0 ? ` (not: ${unknown.join(', ')})` : '') +
      '\n',
  );
  process.exit(1);
}
const wanted = (phase: Phase) => only.has(phase);
const sizes: ScaleSizes = factor === 1 ? FULL_SIZES : scaled(factor);
const millionRows = Math.max(1000, Math.round(MILLION * factor));

// What is undone at the end, last first: the scratch database, the folder, the connection, the server.
const undo: (() => Promise<unknown>)[] = [];
async function cleanUp(): Promise<void> {
  for (let step = undo.pop(); step; step = undo.pop()) {
    await step().catch((error: unknown) => process.stderr.write(`bench:scale: cleaning up: ${String(error)}\n`));
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

const started = new Date();
try {
  const scratch = await createScratchDatabase();
  undo.push(() => scratch.drop());
  const dialect = scratch.url.startsWith('postgres') ? 'PostgreSQL' : 'SQLite';
  process.stdout.write(`bench:scale on ${dialect}, phases ${[...only].join(', ')}, scale ${factor}\n`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mailer-bench-scale-'));
  undo.push(() => rm(dir, { recursive: true, force: true }));
  const sequelize = await openDatabase(loadConfig({ ...process.env, DATABASE_URL: scratch.url }).database);
  undo.push(() => sequelize.close());
  await migrateUp(sequelize);

  phaseHeading('build');
  const built = performance.now();
  const data = await buildScaleData(sequelize, sizes);
  const buildSeconds = (performance.now() - built) / 1000;
  figureLine({
    phase: 'build',
    what: `data set, ${data.deliveries.toLocaleString('en-US')} deliveries`,
    figure: `${buildSeconds.toFixed(1)} s`,
    goal: 'seconds, not minutes',
    ok: buildSeconds <= BUILD_GOAL_SECONDS,
  });

  // CACHE=off: the home page's statistics are counted on every request; no customer screen is cached anyway.
  const server = await startServer(scratch.url, { CACHE: 'off', UPLOAD_DIR: path.join(dir, 'uploads') });
  undo.push(() => stopServer(server));
  const pid = server.child.pid as number;
  const login = (email: string) => signIn(server.base, email, BENCH_PASSWORD);
  const big: Session = {
    name: 'big',
    cookie: await login(data.big.email),
    logRunId: data.bigOlderRunId,
    newestRunId: data.bigRunId,
  };
  const small: Session = {
    name: 'small',
    cookie: await login(data.small.email),
    logRunId: data.smallRunId,
    newestRunId: data.smallRunId,
  };
  const budgets = {
    users: 10,
    single: { seconds: seconds * 0.75, least: 5, most: 50 },
    busy: { seconds, least: 10, most: 2000 },
  };
  if (wanted('screens')) await screensPhase(server.base, [big, small], budgets);
  if (wanted('neighbour')) {
    const loaders = [big.cookie, await login(data.big.email)];
    await neighbourPhase(server.base, small, loaders, { seconds, least: 10, most: 60 });
  }
  if (wanted('explain')) await explainPhase(sequelize, data.big.id, data.bigRunId);
  if (wanted('snapshot') || wanted('export')) {
    const million = await snapshotPhase(sequelize, millionRows);
    if (wanted('export')) {
      const cookie = await login(million.customer.email);
      const url = (p: string) => `${server.base}${p}`;
      await exportPhase(
        [
          {
            name: `run log export, ${million.recipients.toLocaleString('en-US')} rows`,
            target: { url: url(`/reports/runs/${million.runId}/export.csv`), cookie },
          },
          {
            name: `run log export, ${sizes.bigRunRows.toLocaleString('en-US')} rows`,
            target: { url: url(`/reports/runs/${data.bigRunId}/export.csv`), cookie: big.cookie },
          },
          {
            name: `clients export, ${sizes.bigClients.toLocaleString('en-US')} rows`,
            target: { url: url('/clients/export.csv'), cookie: big.cookie },
          },
          {
            name: `clients export, ${millionRows.toLocaleString('en-US')} rows`,
            target: { url: url('/clients/export.csv'), cookie },
          },
        ],
        pid,
      );
    }
  }
  if (wanted('import')) {
    const customer = await createCustomer('import@bench.example.org', 'Import Customer');
    await importPhase({
      base: server.base,
      cookie: await login(customer.email),
      serverPid: pid,
      rows: millionRows,
      dir,
    });
  }
  printMarkdown(`${dialect}, ${started.toISOString().slice(0, 16)} UTC, load at the end ${loadAverage()}`);
} finally {
  await cleanUp();
}
