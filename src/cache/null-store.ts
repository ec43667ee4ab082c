// The store used when caching is switched off (CACHE=off, to measure or debug): every read misses, so every
// value is computed afresh.
import type { CacheStore } from './cache-store.js';

export class NullStore implements CacheStore {
  /** Always a miss. */
  get(): Promise<unknown> {
    return Promise.resolve(undefined);
  }

  /** Keeps nothing. */
  set(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing to delete. */
  delete(): Promise<void> {
    return Promise.resolve();
  }

  /** Always: it lives in this process. */
  reachable(): Promise<boolean> {
    return Promise.resolve(true);
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
