// Support for the cache tests (and the pages they cache): the stores to run against (memory always, Memcached when
// MEMCACHED_SERVERS is set), apps built over a given store, a logger that keeps what it logs, and a query counter.
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import { pino } from 'pino';
import type { Sequelize } from 'sequelize';
import { SystemMailer } from '../../src/accounts/system-mail.js';
import type { CacheStore } from '../../src/cache/cache-store.js';
import type { Config } from '../../src/config.js';
import { MemcachedStore } from '../../src/cache/memcached-store.js';
import { MemoryStore } from '../../src/cache/memory-store.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createApp } from '../../src/app.js';
import { unique } from './factories.js';
import { testConfig, testDatabase } from './hooks.js';
import { scratchFolder } from './scratch.js';

/** Memcached servers for the tests, from the environment (the CI job that starts memcached sets it). */
export const MEMCACHED_SERVERS = (process.env.MEMCACHED_SERVERS ?? '').split(',').filter(Boolean);

export interface StoreKind {
  name: string;
  /** A store with a prefix no other test uses. */
  make(logger?: Logger): CacheStore;
}

/** The stores every cache test runs against. */
export function storeKinds(): StoreKind[] {
  const kinds: StoreKind[] = [{ name: 'the in-process store', make: () => new MemoryStore(`test:${unique()}:`) }];
  if (MEMCACHED_SERVERS.length > 0) {
    kinds.push({
      name: 'Memcached',
      make: (logger = createLogger('silent')) =>
        new MemcachedStore({ servers: MEMCACHED_SERVERS, prefix: `test:${unique()}:`, logger }),
    });
  }
  return kinds;
}

/** The app on the test database over the given store (e-mails go to a private temp folder). */
export function siteWith(
  store: CacheStore,
  { logger = createLogger('silent'), config: overrides = {} }: { logger?: Logger; config?: Partial<Config> } = {},
): Express {
  const config: Config = {
    ...testConfig(),
    outboxDir: scratchFolder('outbox'),
    appUrl: 'http://mailer.test',
    ...overrides,
  };
  return createApp({
    config,
    sequelize: testDatabase(),
    logger,
    systemMailer: new SystemMailer(config, logger, testDatabase()),
    cache: store,
  });
}

export interface LogLine {
  level: number;
  msg: string;
}

/** A pino logger that keeps its lines, to check what was warned. */
export function capturingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

/** pino's level number for warnings. */
export const WARN = 40;

/** A local port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Counts the SQL statements matching the pattern until stopped. */
export function queryCounter(sequelize: Sequelize, pattern: RegExp): { count(): number; stop(): void } {
  const name = unique('query-counter');
  let count = 0;
  sequelize.addHook('afterQuery', name, (_options, query) => {
    const sql = (query as unknown as { sql?: string }).sql; // set by run(); not in the published typings
    if (sql && pattern.test(sql)) count += 1;
  });
  return { count: () => count, stop: () => void sequelize.removeHook('afterQuery', name) };
}

/** The numbers the home page shows, by name (`data-stat`/`data-value`). */
export function statsOn(html: string): Record<string, number> {
  const stats: Record<string, number> = {};
  for (const match of html.matchAll(/data-stat="(\w+)" data-value="(\d+)"/g)) stats[match[1] ?? ''] = Number(match[2]);
  return stats;
}

/** The statistics query's text, for queryCounter. */
export const STATS_QUERY = /FROM home_stat_counts/;
