// A shared counter that never fails a request: when the shared store does not answer (an error, or nothing within
// the timeout), the count goes to this process's memory instead (rate-limiter-flexible's memory limiter, same
// limits), logged once when that starts and once when the store answers again. While it lasts each process counts
// alone, as before issue 19: N processes let up to N times the attempts through, never a 500 and never no limit.
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../logger.js';
import type { Counter, CounterSpec } from './counter.js';

const DEFAULT_TIMEOUT_MS = 2_000;

function withinTime<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

export class FailSafeCounter implements Counter {
  private readonly local: RateLimiterMemory;
  private inOutage = false;

  constructor(
    private readonly shared: Counter,
    private readonly spec: CounterSpec,
    private readonly logger: Logger,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    this.local = new RateLimiterMemory({ keyPrefix: spec.name, points: spec.points, duration: spec.durationSeconds });
  }

  /** See Counter.get. */
  get(key: string): Promise<RateLimiterRes | null> {
    return this.attempt((counter) => counter.get(key));
  }

  /** See Counter.penalty. */
  penalty(key: string, points = 1): Promise<RateLimiterRes> {
    return this.attempt((counter) => counter.penalty(key, points));
  }

  /** See Counter.delete. */
  delete(key: string): Promise<boolean> {
    return this.attempt((counter) => counter.delete(key));
  }

  private async attempt<T>(operation: (counter: Counter) => Promise<T>): Promise<T> {
    try {
      const result = await withinTime(operation(this.shared), this.timeoutMs);
      if (this.inOutage) {
        this.inOutage = false;
        this.logger.info({ limiter: this.spec.name }, 'the shared limit store answers again: counting there');
      }
      return result;
    } catch (error) {
      if (!this.inOutage) {
        this.inOutage = true;
        this.logger.warn(
          { limiter: this.spec.name, reason: error instanceof Error ? error.message : String(error) },
          'the shared limit store does not answer: counting in this process until it does',
        );
      }
      return operation(this.local);
    }
  }
}
