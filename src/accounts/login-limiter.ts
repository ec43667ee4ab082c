// Slows down password guessing: failed logins are counted per account and per IP address, and either
// reaching its limit refuses further attempts for a while (even with the right password).
import { RateLimiterMemory } from 'rate-limiter-flexible';

export interface LoginLimits {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 5, perIp: 30, windowSeconds: 15 * 60 };

/** Counts failures in memory (one web process; a restart forgets them, which only helps the user). */
export class LoginLimiter {
  private readonly byAccount: RateLimiterMemory;
  private readonly byIp: RateLimiterMemory;

  constructor(private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS) {
    this.byAccount = new RateLimiterMemory({
      keyPrefix: 'login-account',
      points: limits.perAccount,
      duration: limits.windowSeconds,
    });
    this.byIp = new RateLimiterMemory({ keyPrefix: 'login-ip', points: limits.perIp, duration: limits.windowSeconds });
  }

  /** Milliseconds to wait before another attempt is allowed, or 0 when one may be made now. */
  async retryAfterMs(email: string, ip: string): Promise<number> {
    const [account, address] = await Promise.all([this.byAccount.get(email), this.byIp.get(ip)]);
    const waits = [
      account && account.consumedPoints >= this.limits.perAccount ? account.msBeforeNext : 0,
      address && address.consumedPoints >= this.limits.perIp ? address.msBeforeNext : 0,
    ];
    return Math.max(...waits);
  }

  /** Records a failed attempt. */
  async failed(email: string, ip: string): Promise<void> {
    await Promise.all([this.byAccount.penalty(email), this.byIp.penalty(ip)]);
  }

  /** Forgets an account's failures after it logged in. */
  async succeeded(email: string): Promise<void> {
    await this.byAccount.delete(email);
  }
}
