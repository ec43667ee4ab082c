// Counters every process on the database shares: rate-limiter-flexible's own stores over the `rate_limits` table
// of migration 0021 (told it exists, so they never write schema), one per dialect behind one interface:
// PostgreSQL through Sequelize's pool, SQLite through a connection of its own on the same file (closed with
// Sequelize's). Memcached is not used: it may evict or lose a count at any time, and a limit that forgets is no limit.
import { RateLimiterPostgres, RateLimiterSQLite, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Sequelize } from 'sequelize';
import { execute } from '../delivery/sql.js';

export const RATE_LIMIT_TABLE = 'rate_limits';

/** What the limits need of a counter: rate-limiter-flexible's store, or its in-memory limiter. */
export interface Counter {
  get(key: string): Promise<RateLimiterRes | null>;
  penalty(key: string, points?: number): Promise<RateLimiterRes>;
  delete(key: string): Promise<boolean>;
}

/** One limiter's counter: its name (the prefix of its keys), how many points, over how long. */
export interface CounterSpec {
  name: string;
  points: number;
  durationSeconds: number;
}

/** The id of the SQLite connection the counters use (Sequelize keeps it with its own and closes it with them). */
const SQLITE_CONNECTION = 'rate-limits';

/** Sequelize's SQLite driver keeps a connection per `uuid` (the typings only know the options of pooled drivers). */
type ConnectionOptions = Parameters<Sequelize['connectionManager']['getConnection']>[0];

/** Opens the shared store of one counter. */
export async function databaseCounter(sequelize: Sequelize, spec: CounterSpec): Promise<Counter> {
  const options = {
    keyPrefix: spec.name,
    points: spec.points,
    duration: spec.durationSeconds,
    tableName: RATE_LIMIT_TABLE,
    tableCreated: true,
    // The hourly housekeeping deletes old counts once for all processes (pruneRateLimits), not a timer in each.
    clearExpiredByTimeout: false,
  };
  if (sequelize.getDialect() === 'postgres') {
    return new RateLimiterPostgres({ ...options, storeClient: sequelize, storeType: 'sequelize' });
  }
  const connection = await sequelize.connectionManager.getConnection({
    uuid: SQLITE_CONNECTION,
  } as unknown as ConnectionOptions);
  return new RateLimiterSQLite({ ...options, storeClient: connection, storeType: 'sqlite3' });
}

/** Deletes the counts whose window ended over an hour ago: they limit nothing any more. */
export async function pruneRateLimits(sequelize: Sequelize, now = Date.now()): Promise<void> {
  await execute(sequelize, `DELETE FROM ${RATE_LIMIT_TABLE} WHERE expire < :before`, { before: now - 3_600_000 });
}
