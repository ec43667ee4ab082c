// Whether this process should be sent traffic: the schema is migrated, the database and the cache answer, and it
// is not shutting down. Distinct from liveness (/healthz): a process that is alive but not ready is not restarted,
// only left out of the load balancer's rotation.
import type { Sequelize } from 'sequelize';
import type { CacheStore } from '../cache/cache-store.js';
import { isDatabaseReachable } from '../db/connection.js';
import { pendingMigrations } from '../db/migrations.js';

/** A process's own state that readiness reads: set by `serve` when a signal asks it to stop. */
export interface ServiceState {
  shuttingDown: boolean;
}

/** A fresh state: running. */
export function runningService(): ServiceState {
  return { shuttingDown: false };
}

export type Readiness = { ready: true } | { ready: false; reason: string };

/** Checks readiness, the cheapest check first; applied migrations cannot unapply, so a "yes" is remembered. */
export function readinessCheck(sequelize: Sequelize, cache: CacheStore, state: ServiceState): () => Promise<Readiness> {
  let migrated = false;
  return async () => {
    if (state.shuttingDown) return { ready: false, reason: 'shutting down' };
    if (!(await isDatabaseReachable(sequelize))) return { ready: false, reason: 'database unreachable' };
    if (!migrated) {
      const pending = await pendingMigrations(sequelize).catch(() => null);
      if (pending === null) return { ready: false, reason: 'migration status unreadable' };
      if (pending.length > 0) return { ready: false, reason: `${pending.length} migration(s) pending` };
      migrated = true;
    }
    if (!(await cache.reachable())) return { ready: false, reason: 'cache unreachable' };
    return { ready: true };
  };
}
