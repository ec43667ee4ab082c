// Chooses the cache store from the config: Memcached when MEMCACHED_SERVERS is set, else this process's memory.
import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { CacheStore } from './cache-store.js';
import { MemcachedStore } from './memcached-store.js';
import { MemoryStore } from './memory-store.js';
import { NullStore } from './null-store.js';

/**
 * The key prefix of this deployment: `mailer:` plus a short hash of which database it serves, so two deployments
 * (or two test runs, each on its own database) sharing one Memcached never read each other's values.
 */
export function deploymentPrefix(config: Config): string {
  const target = config.database;
  const identity =
    target.dialect === 'sqlite'
      ? `sqlite:${target.storage}`
      : (() => {
          const url = new URL(target.url);
          return `postgres://${url.host}${url.pathname}`;
        })();
  return `mailer:${createHash('sha256').update(identity).digest('hex').slice(0, 8)}:`;
}

/** The store the app uses when none is given to createApp (none at all when CACHE=off). */
export function cacheStoreFor(config: Config, logger: Logger): CacheStore {
  if (!config.cacheEnabled) return new NullStore();
  const prefix = deploymentPrefix(config);
  if (config.memcachedServers.length === 0) return new MemoryStore(prefix);
  return new MemcachedStore({ servers: config.memcachedServers, prefix, logger });
}
