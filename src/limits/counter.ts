// What a limit needs of a counter, whichever store keeps it (shared-counter.ts, fail-safe-counter.ts).
import type { RateLimiterRes } from 'rate-limiter-flexible';

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
