// A small cluster for the cluster test: a scratch PostgreSQL database, a real SMTP server process, two
// `mailer serve` processes (scheduler off) and two `mailer daemon` processes on that database, and a signed-in
// admin on each web process (the site and the back office).
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { parseDatabaseUrl } from '../../../src/config.js';
import { connect } from '../../../src/db/connection.js';
import { closedPort } from '../../support/cache-sites.js';
import { exitCodeOf, runCli, startCli } from '../../support/cli.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/database.js';
import { senderEnv } from '../../support/delivery.js';
import { unique } from '../../support/factories.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';
import { csrfTokenIn } from '../../support/web.js';

export const ADMIN_EMAIL = 'admin@cluster.test';
const ADMIN_PASSWORD = 'a cluster of four processes';
export const POOL_SIZE = 4;
export const RATE_PER_SECOND = 20;
/** How long a process may take to start (four start at once on a small machine). */
const STARTUP_MS = 60_000;

interface Child {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
}

export interface WebProcess extends Child {
  base: string;
}

export interface DaemonProcess extends Child {
  metricsPort: number;
}

export interface Cluster {
  smtp: SmtpTestServer;
  /** A connection of the test's own to the cluster's database (the suite's models are bound elsewhere). */
  db: Sequelize;
  webs: WebProcess[];
  daemons: DaemonProcess[];
  stop(): Promise<void>;
}

/**
 * What every process gets: the scratch database, the SMTP server at a shared rate, short leases (a killed worker's
 * claims come back in 1.5 s) and an hourly reconcile, so that whatever starts at once was started by an event.
 */
function clusterEnv(scratch: ScratchDatabase, smtp: SmtpTestServer): Record<string, string> {
  return senderEnv(smtp.url, {
    DATABASE_URL: scratch.url,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    SMTP_POOL_SIZE: String(POOL_SIZE),
    SMTP_RATE_PER_SECOND: String(RATE_PER_SECOND),
    DELIVERY_BATCH_SIZE: '10',
    SCHEDULER_RECONCILE_CRON: '0 0 * * * *',
  });
}

async function startWeb(env: Record<string, string>): Promise<WebProcess> {
  const started = await startCli(
    ['serve'],
    { ...env, PORT: '0', SCHEDULER: 'off' },
    /open http:\/\/localhost:(\d+)\n/,
    STARTUP_MS,
  );
  return { child: started.child, output: started.output, base: `http://localhost:${started.match[1]}` };
}

async function startDaemon(env: Record<string, string>): Promise<DaemonProcess> {
  const metricsPort = await closedPort();
  const started = await startCli(
    ['daemon'],
    { ...env, METRICS_PORT: String(metricsPort) },
    /Mailer daemon is running\n/,
    STARTUP_MS,
  );
  return { child: started.child, output: started.output, metricsPort };
}

async function stopChild({ child }: Child): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  child.kill('SIGTERM');
  await exitCodeOf(child);
  clearTimeout(timer);
}

/** Migrates a new database, makes the admin, and starts the SMTP server, two web processes and two daemons. */
export async function startCluster(): Promise<Cluster> {
  const [scratch, smtp] = await Promise.all([createScratchDatabase(), SmtpTestServer.start('accept')]);
  const db = await connect(parseDatabaseUrl(scratch.url));
  const env = clusterEnv(scratch, smtp);
  const children: Child[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map(stopChild));
    await smtp.stop();
    await db.close();
    await scratch.drop();
  };
  try {
    // The command migrates the database, before any long-running process starts on it.
    const made = await runCli(['createsuperuser', '--email', ADMIN_EMAIL], {
      ...env,
      SUPERUSER_PASSWORD: ADMIN_PASSWORD,
    });
    expect(made.code, made.stderr).to.equal(0);
    const [webs, daemons] = await Promise.all([
      Promise.allSettled([startWeb(env), startWeb(env)]),
      Promise.allSettled([startDaemon(env), startDaemon(env)]),
    ]);
    for (const started of [...webs, ...daemons]) if (started.status === 'fulfilled') children.push(started.value);
    const failed = [...webs, ...daemons].find((started) => started.status === 'rejected');
    if (failed) throw failed.reason;
    return {
      smtp,
      db,
      webs: children.slice(0, 2) as WebProcess[],
      daemons: children.slice(2) as DaemonProcess[],
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** POSTs a form to a web process's site as the signed-in admin, with the session's CSRF token. */
export type SitePoster = (url: string, form: Record<string, string | string[]>) => request.Test;

/** The admin signed in to a web process's site. */
export async function siteOf(web: WebProcess): Promise<SitePoster> {
  const agent = request.agent(web.base);
  const login = await agent.get('/login').expect(200);
  await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfTokenIn(login.text), email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
    .expect(303);
  const csrf = csrfTokenIn((await agent.get('/profile').expect(200)).text);
  return (url, form) =>
    agent
      .post(url)
      .type('form')
      .send({ _csrf: csrf, ...form });
}

/** The admin signed in to a web process's back office (its requests say they come from its own pages). */
export async function backOfficeOf(web: WebProcess): Promise<TestAgent> {
  const agent = request.agent(web.base).set('Origin', web.base);
  await agent
    .post('/admin/login')
    .type('form')
    .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
    .expect(302)
    .expect('Location', '/admin');
  return agent;
}

/** `count` new clients of the admin, straight into the database (setting the scene, not the path under test). */
export async function addClients(db: Sequelize, count: number): Promise<{ id: number; email: string }[]> {
  const tag = unique('c');
  return db.query<{ id: number; email: string }>(
    `INSERT INTO clients (owner_id, email, full_name, comment, search_text, created_at, updated_at)
     SELECT u.id, '${tag}-' || g || '@cluster.test', 'Client ' || g, '', '', now(), now()
       FROM users u, generate_series(1, :count) g WHERE u.email = :admin
     RETURNING id, email`,
    { replacements: { count, admin: ADMIN_EMAIL }, type: QueryTypes.SELECT },
  );
}

/** The value of one series on a daemon's /metrics (0 when absent). */
export async function metricOf(daemon: DaemonProcess, series: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${daemon.metricsPort}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/** Polls until the check holds, at most `withinMs`; returns how long it took. */
export async function within(withinMs: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (!(await check())) {
    if (performance.now() - started > withinMs) throw new Error(`not within ${withinMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - started;
}
