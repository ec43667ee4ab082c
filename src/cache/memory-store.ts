// The cache store used when MEMCACHED_SERVERS is empty: a map in this process with the same interface and the
// same JSON round trip as Memcached, so callers never share objects with the cache and behave alike on both.
import type { CacheStore } from './cache-store.js';

interface Entry {
  json: string;
  expiresAt: number;
}

const SWEEP_ABOVE = 1_000;

export class MemoryStore implements CacheStore {
  private readonly entries = new Map<string, Entry>();

  /** `now` is injectable so tests can expire entries without waiting. */
  constructor(
    private readonly prefix = '',
    private readonly now: () => number = Date.now,
  ) {}

  /** See CacheStore.get; expired entries are dropped when read. */
  get(key: string): Promise<unknown> {
    const entry = this.entries.get(this.prefix + key);
    if (!entry) return Promise.resolve(undefined);
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(this.prefix + key);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(JSON.parse(entry.json) as unknown);
  }

  /** See CacheStore.set; a large map is swept of expired entries (no timers, so nothing keeps a process alive). */
  set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    if (this.entries.size >= SWEEP_ABOVE) this.sweep();
    this.entries.set(this.prefix + key, { json: JSON.stringify(value), expiresAt: this.now() + ttlSeconds * 1000 });
    return Promise.resolve();
  }

  /** See CacheStore.delete. */
  delete(key: string): Promise<void> {
    this.entries.delete(this.prefix + key);
    return Promise.resolve();
  }

  /** Always: it lives in this process. */
  reachable(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** Nothing to release. */
  close(): Promise<void> {
    this.entries.clear();
    return Promise.resolve();
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}
