// Data that is costly to compute (home statistics, the pool of published posts), read through a CacheStore.
// A value computed while its key was being forgotten is not stored, so an invalidation racing a slow computation
// cannot leave the old value behind; cached values are checked against a schema, so a value written by an older
// deployment (or garbage) is recomputed rather than trusted.
import type { z } from 'zod';
import type { CacheStore } from './cache-store.js';

export interface RememberOptions<T> {
  /** Seconds to keep the value: a constant, or chosen from the value (e.g. until the next scheduled post). */
  ttlSeconds: number | ((value: T) => number);
  schema: z.ZodType<T>;
}

export class ComputedCache {
  private readonly generations = new Map<string, number>();

  constructor(readonly store: CacheStore) {}

  /** The cached value of the key, or the computed one (then cached). */
  async remember<T>(key: string, options: RememberOptions<T>, compute: () => Promise<T>): Promise<T> {
    const cached = options.schema.safeParse(await this.store.get(key));
    if (cached.success) return cached.data;
    const generation = this.generationOf(key);
    const value = await compute();
    if (this.generationOf(key) === generation) {
      const ttl = typeof options.ttlSeconds === 'function' ? options.ttlSeconds(value) : options.ttlSeconds;
      await this.store.set(key, value, ttl);
    }
    return value;
  }

  /** Drops the keys' values, so the next read computes them afresh. */
  async forget(...keys: string[]): Promise<void> {
    for (const key of keys) this.generations.set(key, this.generationOf(key) + 1);
    await Promise.all(keys.map((key) => this.store.delete(key)));
  }

  private generationOf(key: string): number {
    return this.generations.get(key) ?? 0;
  }
}
