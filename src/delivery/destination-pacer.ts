// Pacing per destination group for one worker (process): how many of a group's deliveries its lanes hold at once
// (places of the group's concurrency leased from destination_slots, so every process together keeps to it), the
// group's send rate (shared by every process through send_rate_slots), and which groups wait after a deferral
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
import { SlotLeases } from './slot-leases.js';

/** How often the backoffs other processes recorded are read again (at most, and only when claiming). */
const BACKOFF_READ_MS = 1_000;
/** How soon to look again at a group whose lanes are all taken. */
const CONCURRENCY_RETRY_MS = 10;

/** The key of a group's send rate in send_rate_slots, apart from the SMTP servers' keys. */
export function destinationRateKey(group: string): string {
  return `dest:${group}`;
}

export class DestinationPacer {
  /** The places of each group's concurrency this process leases, and how many of them its lanes use. */
  private readonly places: SlotLeases;
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
    /** The worker's id, as the holder of its places in destination_slots. */
    holder: string,
    /** How long a place stays this process's without a renewal (a killed process's places come back after it). */
    leaseMs: number,
  ) {
    this.places = new SlotLeases(sequelize, holder, leaseMs);
  }

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
    if (this.closed) return CONCURRENCY_RETRY_MS;
    const want = Math.min(limits.concurrency, this.laneCapacity);
    if (!this.places.hasFree(group, limits.concurrency, want)) return CONCURRENCY_RETRY_MS;
    const wait = this.rateOf(group, limits).tryAcquire();
    if (wait > 0) return wait;
    this.places.use(group);
    return 0;
  }

  /** A delivery taken with `tryTake` left the lanes (sent, failed, or given back). */
  release(group: string): void {
    this.places.done(group);
  }

  /** Claimed deliveries by group: asks for their groups' places at once (one statement for the whole batch). */
  prepare(counts: ReadonlyMap<string, number>): void {
    if (this.closed) return;
    const requests = [...counts].map(([group, count]) => {
      const { concurrency } = limitsOf(group, this.settings);
      return { group, concurrency, want: Math.min(count, concurrency, this.laneCapacity) };
    });
    this.places.ask(requests);
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

  /** Once no lane holds anything: gives every place back, so another process need not wait for their leases. */
  async shutdown(): Promise<void> {
    this.close();
    await this.places.shutdown();
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
