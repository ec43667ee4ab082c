// Slows down password guessing: failed logins are counted per account and per IP address, and either reaching its
// limit refuses further attempts for a while (even with the right password). The counts are kept in the database
// for every web process together (src/limits/), so the limits are the same whichever process answers; the site's
// login and the back office's count as one.
import type { Sequelize } from 'sequelize';
import type { LoginLimits } from '../config.js';
import type { Logger } from '../logger.js';
import { FailSafeCounter } from '../limits/fail-safe-counter.js';
import type { Counter, CounterSpec } from '../limits/counter.js';
import { databaseCounter } from '../limits/shared-counter.js';

/** The two counts a login is checked against. */
export interface LoginCounters {
  byAccount: Counter;
  byIp: Counter;
}

export class LoginLimiter {
  constructor(
    private readonly counters: LoginCounters,
    private readonly limits: LoginLimits,
  ) {}

  /** Milliseconds to wait before another attempt is allowed, or 0 when one may be made now. */
  async retryAfterMs(email: string, ip: string): Promise<number> {
    const [account, address] = await Promise.all([this.counters.byAccount.get(email), this.counters.byIp.get(ip)]);
    const waits = [
      account && account.consumedPoints >= this.limits.perAccount ? account.msBeforeNext : 0,
      address && address.consumedPoints >= this.limits.perIp ? address.msBeforeNext : 0,
    ];
    return Math.max(...waits);
  }

  /** Records a failed attempt. */
  async failed(email: string, ip: string): Promise<void> {
    await Promise.all([this.counters.byAccount.penalty(email), this.counters.byIp.penalty(ip)]);
  }

  /** Forgets an account's failures after it logged in. */
  async succeeded(email: string): Promise<void> {
    await this.counters.byAccount.delete(email);
  }
}

/** The specs of the two counts under given limits (their names are the keys' prefixes in the shared table). */
export function loginCounterSpecs(limits: LoginLimits): { byAccount: CounterSpec; byIp: CounterSpec } {
  return {
    byAccount: { name: 'login-account', points: limits.perAccount, durationSeconds: limits.windowSeconds },
    byIp: { name: 'login-ip', points: limits.perIp, durationSeconds: limits.windowSeconds },
  };
}

/** A web process's login limiter: counted in the database, in this process's memory while that does not answer. */
export function sharedLoginLimiter(sequelize: Sequelize, logger: Logger, limits: LoginLimits): LoginLimiter {
  const specs = loginCounterSpecs(limits);
  const failSafe = (spec: CounterSpec): Counter => new FailSafeCounter(databaseCounter(sequelize, spec), spec, logger);
  return new LoginLimiter({ byAccount: failSafe(specs.byAccount), byIp: failSafe(specs.byIp) }, limits);
}
