// Counters every process on the database shares, over the `rate_limits` table of migration 0021, one store per
// dialect behind rate-limiter-flexible's one interface: its RateLimiterPostgres through Sequelize's pool (told the
// table exists, so it never writes schema), and on SQLite a store of ours with the same answers
// (sqlite-counter-store.ts, which says why not RateLimiterSQLite). Memcached is not used: it may evict or lose a
// count at any time, and a limit that forgets is no limit.
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { Sequelize } from 'sequelize';
import { execute } from '../delivery/sql.js';
import type { Counter, CounterSpec } from './counter.js';
import { SqliteCounterStore } from './sqlite-counter-store.js';

export const RATE_LIMIT_TABLE = 'rate_limits';

/** The shared store of one counter. */
export function databaseCounter(sequelize: Sequelize, spec: CounterSpec): Counter {
  if (sequelize.getDialect() !== 'postgres') return new SqliteCounterStore(sequelize, RATE_LIMIT_TABLE, spec);
  return new RateLimiterPostgres({
    keyPrefix: spec.name,
    points: spec.points,
    duration: spec.durationSeconds,
    storeClient: sequelize,
    storeType: 'sequelize',
    tableName: RATE_LIMIT_TABLE,
    tableCreated: true,
    // The hourly housekeeping deletes old counts once for all processes (pruneRateLimits), not a timer in each.
    clearExpiredByTimeout: false,
  });
}

/** Deletes the counts whose window ended over an hour ago: they limit nothing any more. */
export async function pruneRateLimits(sequelize: Sequelize, now = Date.now()): Promise<void> {
  await execute(sequelize, `DELETE FROM ${RATE_LIMIT_TABLE} WHERE expire < :before`, { before: now - 3_600_000 });
}
