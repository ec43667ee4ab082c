// Pacing per destination group for one worker (process): how many of a group's deliveries its lanes hold at once,
// the group's send rate (shared by every process through send_rate_slots), and which groups wait after a deferral
// (shared through destination_backoffs).
import type { Sequelize } from 'sequelize';
import {
  destinationGroupOf,
  domainsOfGroup,
  limitsOf,
  type GroupLimits,
  type PacingSettings,
} from '../pacing-settings.js';
import { clearBackoff, readBackoffs, recordDeferral, type GroupBackoff } from './pacing-backoffs.js';
import { createSendRate, type SendRate } from './send-rate.js';

/** How often the backoffs other processes recorded are read again (at most, and only when claiming). */
const BACKOFF_READ_MS = 1_000;
/** How soon to look again at a group whose lanes are all taken. */
const CONCURRENCY_RETRY_MS = 10;

/** The key of a group's send rate in send_rate_slots, apart from the SMTP servers' keys. */
export function destinationRateKey(group: string): string {
  return `dest:${group}`;
}

export class DestinationPacer {
  /** Deliveries of each group the lanes of this process hold (picked, on the wire, or next). */
  private readonly held = new Map<string, number>();
  private readonly rates = new Map<string, SendRate>();
  /** Every group with a backoff row as last seen or written, with when its wait ends. */
  private backoffs = new Map<string, number>();
  private readAt = -Infinity;
  private closed = false;

  constructor(
    private readonly sequelize: Sequelize,
    readonly settings: PacingSettings,
    /** Deliveries the lanes of this process can hold at once (two per lane). */
    private readonly laneCapacity: number,
  ) {}

  /** The group of a recipient address. */
  groupOf(email: string): string {
    return destinationGroupOf(email, this.settings);
  }

  /** True while the group waits after a deferral (as this process last saw). */
  isWaiting(group: string, nowMs = Date.now()): boolean {
    return (this.backoffs.get(group) ?? 0) > nowMs;
  }

  /** Reads the backoffs every process recorded, at most once a second. */
  async refresh(nowMs = Date.now()): Promise<void> {
    if (nowMs - this.readAt < BACKOFF_READ_MS) return;
    this.readAt = nowMs;
    this.backoffs = await readBackoffs(this.sequelize);
  }

  /** The recipient domains a claim leaves out: the waiting groups', and those of the groups given. */
  excludedDomains(groups: Iterable<string>, nowMs = Date.now()): string[] {
    const excluded = new Set(groups);
    for (const [group, untilMs] of this.backoffs) if (untilMs > nowMs) excluded.add(group);
    return [...excluded].flatMap((group) => domainsOfGroup(group, this.settings));
  }

  /** True when the group's pace is below what the lanes could do: only then does a queue of its deliveries wait. */
  isLimited(group: string): boolean {
    const limits = limitsOf(group, this.settings);
    return limits.ratePerSecond > 0 || limits.concurrency < this.laneCapacity;
  }

  /** How many of a limited group's deliveries are worth keeping claimed: about two seconds' or two rounds' worth. */
  queueCap(group: string, batchSize: number): number {
    const { concurrency, ratePerSecond } = limitsOf(group, this.settings);
    const byRate = ratePerSecond > 0 ? Math.ceil(2 * ratePerSecond) : Infinity;
    return Math.max(1, Math.min(batchSize, 2 * concurrency, byRate));
  }

  /**
   * Takes a place for one delivery of the group if its concurrency and its rate allow one now: 0 when taken (give
   * it back with `release`), else the milliseconds after which to ask again. Never waits.
   */
  tryTake(group: string): number {
    const limits = limitsOf(group, this.settings);
    const held = this.held.get(group) ?? 0;
    if (this.closed || held >= limits.concurrency) return CONCURRENCY_RETRY_MS;
    const wait = this.rateOf(group, limits).tryAcquire();
    if (wait > 0) return wait;
    this.held.set(group, held + 1);
    return 0;
  }

  /** A delivery taken with `tryTake` left the lanes (sent, failed, or given back). */
  release(group: string): void {
    const held = (this.held.get(group) ?? 0) - 1;
    if (held > 0) this.held.set(group, held);
    else this.held.delete(group);
  }

  /** A deferral from the group: it waits (every process sees it), longer each time in a row. */
  async deferred(group: string, nowMs = Date.now()): Promise<GroupBackoff> {
    const backoff = await recordDeferral(this.sequelize, group, this.settings, nowMs);
    this.backoffs.set(group, backoff.untilMs);
    return backoff;
  }

  /**
   * A delivery to the group was accepted: once its wait is over, the doubling starts afresh. A success during the
   * wait (a message sent before it began) changes nothing. Null when there is nothing to clear (no statement).
   */
  delivered(group: string, nowMs = Date.now()): Promise<void> | null {
    const untilMs = this.backoffs.get(group);
    if (untilMs === undefined || untilMs > nowMs) return null;
    this.backoffs.delete(group);
    return clearBackoff(this.sequelize, group, nowMs);
  }

  /** Stops the groups' rate limiters; nothing more is handed out (the worker is stopping). */
  close(): void {
    this.closed = true;
    for (const rate of this.rates.values()) rate.close();
    this.rates.clear();
  }

  private rateOf(group: string, limits: GroupLimits): SendRate {
    let rate = this.rates.get(group);
    if (!rate) {
      rate = createSendRate(this.sequelize, limits.ratePerSecond, destinationRateKey(group));
      this.rates.set(group, rate);
    }
    return rate;
  }
}
