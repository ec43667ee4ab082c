// Computed data in Memcached (memjs). Memcached is an optimisation, never a dependency: a failure is a miss or a
// skipped write, the first failure of an outage is logged once (not once per request), and after a failure the
// store stops asking for a few seconds, so a dead or black-holed server costs one short timeout per pause.
import type { Socket } from 'node:net';
import memjs from 'memjs';
import type { Logger } from '../logger.js';
import type { CacheStore } from './cache-store.js';

export interface MemcachedStoreOptions {
  /** host:port of each server. */
  servers: string[];
  /** Put in front of every key, so deployments (and test runs) sharing a server do not collide. */
  prefix: string;
  logger: Logger;
  /** Per-operation and connection timeout; memjs's own defaults would hold a page for seconds. */
  timeoutSeconds?: number;
  /** How long to stop asking after a failure. */
  pauseAfterFailureMs?: number;
}

const DEFAULT_TIMEOUT_SECONDS = 0.5;
const DEFAULT_PAUSE_MS = 5_000;

export class MemcachedStore implements CacheStore {
  private readonly client: memjs.Client;
  private readonly pauseMs: number;
  private pausedUntil = 0;
  private inOutage = false;

  constructor(private readonly options: MemcachedStoreOptions) {
    const timeout = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
    this.pauseMs = options.pauseAfterFailureMs ?? DEFAULT_PAUSE_MS;
    this.client = memjs.Client.create(options.servers.join(','), {
      timeout,
      conntimeout: timeout,
      retries: 0,
      keepAlive: true,
      // memjs would print every failure to the console; this store reports an outage once instead.
      logger: { log: () => undefined },
    });
  }

  /** See CacheStore.get; an unreadable value counts as a miss. */
  async get(key: string): Promise<unknown> {
    const result = await this.attempt(() => this.client.get(this.options.prefix + key));
    if (!result?.value) return undefined;
    try {
      return JSON.parse(result.value.toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }

  /** See CacheStore.set. */
  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    const expires = Math.max(1, Math.ceil(ttlSeconds));
    await this.attempt(() => this.client.set(this.options.prefix + key, JSON.stringify(value), { expires }));
  }

  /** See CacheStore.delete. */
  async delete(key: string): Promise<void> {
    await this.attempt(() => this.client.delete(this.options.prefix + key));
  }

  /** Asks the server directly (not through the pause after a failure): any answer to a read, a miss included. */
  async reachable(): Promise<boolean> {
    try {
      const pending = this.client.get(`${this.options.prefix}readyz`);
      this.releaseSockets();
      await pending;
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the connections. */
  close(): Promise<void> {
    this.client.close();
    return Promise.resolve();
  }

  private async attempt<T>(operation: () => Promise<T>): Promise<T | undefined> {
    if (Date.now() < this.pausedUntil) return undefined;
    const pending = operation();
    this.releaseSockets();
    try {
      const result = await pending;
      if (this.inOutage) {
        this.inOutage = false;
        this.options.logger.info({ servers: this.options.servers }, 'memcached is reachable again');
      }
      return result;
    } catch (error) {
      this.pausedUntil = Date.now() + this.pauseMs;
      if (!this.inOutage) {
        this.inOutage = true;
        this.options.logger.warn(
          { servers: this.options.servers, reason: error instanceof Error ? error.message : String(error) },
          'memcached is unreachable: cached statistics are computed afresh until it is back',
        );
      }
      return undefined;
    }
  }

  // memjs keeps one socket per server open for good; unref'd, it no longer keeps a finished process (a CLI
  // command, a test run) alive, while a serving process is kept alive by its HTTP server anyway. memjs does not
  // expose the socket, hence the narrow look inside (memjs 1.3: Server#_socket, created synchronously on use).
  private releaseSockets(): void {
    for (const server of this.client.servers) (server as unknown as { _socket?: Socket })._socket?.unref();
  }
}
