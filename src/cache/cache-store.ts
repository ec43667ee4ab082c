// The one interface computed data is cached behind, whether it lives in Memcached or in this process. Values are
// JSON; a store never throws, because the site must serve (computing afresh) when the cache is unreachable.
export interface CacheStore {
  /** The stored value, or undefined when it is absent, expired or the cache cannot be reached. */
  get(key: string): Promise<unknown>;
  /** Stores a JSON-serialisable value for ttlSeconds (best effort). */
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  /** Removes a value (best effort). */
  delete(key: string): Promise<void>;
  /** Whether the store answers right now (for /readyz); an in-process store always does. */
  reachable(): Promise<boolean>;
  /** Releases connections; the store must not be used afterwards. */
  close(): Promise<void>;
}
