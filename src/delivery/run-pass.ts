// One pass of a worker over a run: claimed batches stream through a local queue to one lane per SMTP
// connection; each lane writes the outcome of the send it finished together with the mark of the delivery it
// will send after the next one, so it never has more than two on the wire or sent but not logged. A send
// begins before its mark is committed; only its final dot waits for the mark (what reaches the server without
// its final dot is never delivered), so the commit runs while the SMTP conversation does.
import type { Config } from '../config.js';
import type { Sequelize } from 'sequelize';
import { suppressNoSuchUser } from './suppressions.js';
import {
  claimBatch,
  refundOutageAttempts,
  type AttemptResult,
  type ClaimedDelivery,
  type LaneWrite,
} from './claims.js';
import { deliveryEvents } from './events.js';
import { currentRunState, refreshRunCounters, type RunSendState } from './runs.js';
import type { Outcome } from './smtp-outcome.js';
import { attemptResult } from './attempt-result.js';
import type { DestinationPacer } from './destination-pacer.js';
import { PacedQueue, type Paced } from './paced-queue.js';

export { attemptResult, backoffDelayMs } from './attempt-result.js';

export const LANES_PER_CONNECTION = 1;
const COUNTER_REFRESH_MS = 1_000;
/** The longest a lane sleeps before it looks again for a delivery whose group may go. */
const MAX_TURN_WAIT_MS = 50;
/** How often a pass rereads its run's state, to see a pause, cancel or block made by another process. */
const RUN_STATE_POLL_MS = 1_000;

/**
 * What a worker killed outright can leave `unknown`: per lane, the delivery on the wire and one more (sent
 * and not yet logged, or marked for the next send). Its other claims go back to `pending`.
 */
export function unknownAfterCrashLimit(settings: Pick<Config['delivery'], 'poolSize'>): number {
  return 2 * settings.poolSize * LANES_PER_CONNECTION;
}

/** What a pass needs of the worker that runs it. */
export interface PassHost {
  readonly sequelize: Sequelize;
  readonly settings: Config['delivery'];
  readonly workerId: string;
  isStopping(): boolean;
  /** Starts renewing the leases of claimed deliveries. */
  hold(batch: ClaimedDelivery[]): void;
  /** Stops renewing one: logged, given back, or lost. */
  forget(deliveryId: number): void;
  /** True while the lease on a held delivery has a safe margin left. */
  mayAttempt(deliveryId: number): boolean;
  /** Queues a lane's write; resolves with whether its mark took (false when it carried none). */
  write(write: LaneWrite): Promise<boolean>;
  /** Asks the write carrying a mark to go now, if it still waits for a flush: a lane waits for that mark. */
  hurry(write: LaneWrite): void;
  /**
   * One send of one delivery; never throws. Null when nothing was delivered: `mayStart` said no once the send's
   * turn came, or `mayFinish` said no before the final dot (the delivery stays unattempted).
   */
  send(delivery: ClaimedDelivery, mayStart: () => boolean, mayFinish: () => Promise<boolean>): Promise<Outcome | null>;
  /** Gives back claims that were not sent. */
  giveBack(ids: number[]): Promise<void>;
  /** Pacing per destination group, shared by every pass of the worker. */
  readonly pacer: DestinationPacer;
  onBatch?: (runId: number) => void | Promise<void>;
}

export interface PassResult {
  /** The run's state as last seen (`held` while its owner is blocked). */
  state: RunSendState;
  /** The failure that tripped an outage pause, if any. */
  outage: Outcome | null;
  /** How many claims were given back unsent. */
  givenBack: number;
}

interface Reserved {
  delivery: Paced;
  /** The lane write that carries this delivery's mark. */
  write: LaneWrite;
  marked: Promise<boolean>;
  settled: boolean;
}

/** Works on one run until it is done for now, halted (pause, cancel, block, stop), or the SMTP server is out. */
export class RunPass {
  private readonly queue: PacedQueue;
  private readonly setAside: ClaimedDelivery[] = [];
  /** Claims of groups that began to wait after a deferral: given back at the next refill, or at the end. */
  private readonly waiting: ClaimedDelivery[] = [];
  /** The group of each delivery a lane holds (taken from the pacer, given back to it when the lane is done). */
  private readonly laneHeld = new Map<number, string>();
  /** The full groups the last short claim left out: once one has room again, claiming may bring more. */
  private skippedAtClaim = new Set<string>();
  private readonly writes = new Set<Promise<void>>();
  private state: RunSendState = 'running';
  private haltRequested = false;
  private exhausted = false;
  private outage: Outcome | null = null;
  private failure: unknown = null;
  private refilling: Promise<void> | null = null;
  private countedAt = Date.now();
  /** Connection-level failures in a row (delivery ids): their attempts are given back if they trip an outage. */
  private streak: number[] = [];
  /** When the server last answered a send: a failure begun before that answer came is no sign of an outage. */
  private lastAnswerAt = 0;
  private readonly lanes: number;
  private readonly lowWater: number;

  constructor(
    private readonly host: PassHost,
    private readonly runId: number,
  ) {
    this.lanes = host.settings.poolSize * LANES_PER_CONNECTION;
    // The queue is refilled when it runs this low, so lanes never wait for a claim.
    this.lowWater = Math.max(this.lanes, Math.ceil(host.settings.batchSize / 2));
    this.queue = new PacedQueue(host.pacer, host.settings.batchSize);
  }

  /** Runs the lanes to the end of the pass; unsent claims are given back, an outage's attempts refunded. */
  async run(): Promise<PassResult> {
    const onHalted = (id: number): void => {
      if (id === this.runId) this.haltRequested = true;
    };
    deliveryEvents.on('run-halted', onHalted);
    const poll = setInterval(() => void this.readState().catch(() => undefined), RUN_STATE_POLL_MS);
    let givenBack: number;
    try {
      await this.startRefill();
      await Promise.all(Array.from({ length: this.lanes }, () => this.lane()));
      await this.refilling;
      await Promise.all([...this.writes]);
    } finally {
      deliveryEvents.off('run-halted', onHalted);
      clearInterval(poll);
      givenBack = await this.giveBackUnsent();
    }
    if (this.failure)
      throw this.failure instanceof Error ? this.failure : new Error('a delivery pass failed', { cause: this.failure });
    if (this.outage) await refundOutageAttempts(this.host.sequelize, this.streak);
    return { state: this.state, outage: this.outage, givenBack };
  }

  private halted(): boolean {
    return (
      this.host.isStopping() ||
      this.haltRequested ||
      this.outage !== null ||
      this.state !== 'running' ||
      this.failure !== null
    );
  }

  private async readState(): Promise<void> {
    this.state = (await currentRunState(this.host.sequelize, this.runId)) ?? 'cancelled';
  }

  /** One lane: sends its deliveries one after another, keeping the one after the next marked ahead. */
  private async lane(): Promise<void> {
    const mine: Reserved[] = [];
    while (!this.halted()) {
      if (mine.length === 0) {
        const first = await this.nextFromQueue();
        if (!first) break;
        mine.push(this.reserve(first, null) as Reserved);
      }
      const ahead = mine.length === 1 ? this.takeNow() : null;
      if (ahead) mine.push(this.reserve(ahead, null) as Reserved);
      const current = mine.shift() as Reserved;
      const { id, group } = current.delivery;
      // A mark known to have failed: the delivery is not this worker's any more.
      if (current.settled && !(await this.confirmed(current))) {
        this.leaveLane(id);
        continue;
      }
      if (this.halted() || !this.host.mayAttempt(id)) {
        this.putAside(current.delivery);
        continue;
      }
      // Its group began to wait after a deferral since it was picked: given back (mark and all), never sent now.
      if (this.host.pacer.isWaiting(group)) {
        this.leaveLane(id);
        if (await this.confirmed(current)) this.waiting.push(current.delivery);
        continue;
      }
      const attemptedAt = new Date();
      const outcome = await this.host.send(
        current.delivery,
        () => !this.halted() && this.host.mayAttempt(id),
        () => this.confirmed(current),
      );
      this.leaveLane(id);
      if (!outcome) {
        if (await this.confirmed(current)) this.setAside.push(current.delivery);
        continue;
      }
      // A send that failed before its final dot may end before its mark is written: the outcome waits for the
      // mark, so that two lane writes in flight never touch the same row.
      if (!current.settled) await current.marked;
      const result = await this.judge(current.delivery, outcome, attemptedAt);
      const next = this.reserve(this.halted() ? null : this.takeNow(), result);
      if (next) mine.push(next);
    }
    for (const reserved of mine) this.putAside(reserved.delivery);
  }

  /** The lane is done with a delivery: its group's place goes back to the pacer. */
  private leaveLane(deliveryId: number): void {
    const group = this.laneHeld.get(deliveryId);
    if (group === undefined) return;
    this.laneHeld.delete(deliveryId);
    this.host.pacer.release(group);
  }

  /** A held delivery not sent in this pass: given back at its end. */
  private putAside(delivery: Paced): void {
    this.leaveLane(delivery.id);
    this.setAside.push(delivery);
  }

  /** Queues a lane's write (an outcome, a mark, or both); returns the marked delivery's reservation. */
  private reserve(delivery: Paced | null, outcome: AttemptResult | null): Reserved | null {
    const write: LaneWrite = { outcome, markId: delivery?.id ?? null };
    const written = this.host.write(write);
    const tracked: Promise<void> = written
      .then(
        () => {
          if (outcome) this.host.forget(outcome.deliveryId);
        },
        (err: unknown) => {
          this.failure ??= err;
        },
      )
      .finally(() => this.writes.delete(tracked));
    this.writes.add(tracked);
    if (!delivery) return null;
    const reserved: Reserved = { delivery, write, settled: false, marked: Promise.resolve(false) };
    reserved.marked = written
      .catch(() => false)
      .then((took) => {
        reserved.settled = true;
        return took;
      });
    return reserved;
  }

  /** Waits for a reservation's mark; one that did not take is not this worker's any more. */
  private async confirmed(reserved: Reserved): Promise<boolean> {
    if (!reserved.settled) this.host.hurry(reserved.write);
    const took = await reserved.marked;
    if (!took) this.host.forget(reserved.delivery.id);
    return took;
  }

  /**
   * Tallies an outcome into the outage streak and turns it into the log's result. A deferral (421, 4.7.x) is the
   * server answering: it ends a streak, and its group waits (`deferredResult`).
   */
  private async judge(delivery: Paced, outcome: Outcome, attemptedAt: Date): Promise<AttemptResult> {
    const duringOutage = this.outage !== null && outcome.connectionLevel;
    const began = attemptedAt.getTime();
    if (!outcome.connectionLevel) {
      this.streak = [];
      this.lastAnswerAt = Date.now();
    } else if (!duringOutage && began >= this.lastAnswerAt) {
      // Only a failure during which the server answered nothing else is a sign of an outage: a slow reply on
      // one connection while the others were answered is that one message's trouble.
      this.streak.push(delivery.id);
      if (this.streak.length >= this.host.settings.outageThreshold) this.outage = outcome;
    }
    const failed = (err: unknown): void => {
      this.failure ??= err;
    };
    if (outcome.kind === 'permanent') suppressNoSuchUser(this.host.sequelize, delivery.id, outcome.reply).catch(failed);
    if (outcome.kind === 'accepted') this.host.pacer.delivered(delivery.group)?.catch(failed);
    if (outcome.deferral && !duringOutage) return this.deferredResult(delivery, outcome, attemptedAt);
    return attemptResult(delivery, outcome, attemptedAt, !duringOutage, this.host.settings);
  }

  /**
   * A deferral: the group waits (for every process), and the delivery is tried again once the wait ends. It costs
   * no attempt, unless the group has waited more than `maxDeferrals` times in a row (so that a run still ends).
   */
  private async deferredResult(delivery: Paced, outcome: Outcome, attemptedAt: Date): Promise<AttemptResult> {
    const { pacer, settings } = this.host;
    const backoff = await pacer.deferred(delivery.group).catch((err: unknown) => {
      this.failure ??= err;
      return { untilMs: Date.now() + pacer.settings.backoffBaseMs, deferrals: 1 };
    });
    const counted = backoff.deferrals > pacer.settings.maxDeferrals;
    return attemptResult(delivery, outcome, attemptedAt, counted, settings, new Date(backoff.untilMs));
  }

  /**
   * The next queued delivery that may go, waiting for a claim in flight or for a group's turn (its rate, or a lane
   * of it finishing); null when the run has nothing more now.
   */
  private async nextFromQueue(): Promise<Paced | null> {
    while (!this.halted()) {
      const next = this.takeNow();
      if (next) return next;
      if (this.refilling) await this.refilling;
      else if (this.queue.length === 0)
        return null; // exhausted: takeNow starts a refill whenever one may bring more
      else await new Promise((resolve) => setTimeout(resolve, Math.min(this.queue.readyInMs, MAX_TURN_WAIT_MS)));
    }
    return null;
  }

  /** Takes a queued delivery whose group may go now, if there is one, starting a refill when few may. */
  private takeNow(): Paced | null {
    if (this.exhausted && [...this.skippedAtClaim].some((group) => this.queue.hasRoom(group))) this.exhausted = false;
    if (!this.exhausted && this.queue.readyCount() < this.lowWater) void this.startRefill();
    const delivery = this.queue.take((waiting) => this.waiting.push(waiting));
    if (delivery) this.laneHeld.set(delivery.id, delivery.group);
    return delivery;
  }

  private startRefill(): Promise<void> {
    this.refilling ??= this.refill()
      .catch((err: unknown) => {
        this.failure ??= err;
      })
      .finally(() => {
        this.refilling = null;
      });
    return this.refilling;
  }

  private async refill(): Promise<void> {
    if (this.halted()) return; // the claim itself gives nothing once the run is paused, cancelled or held
    const { sequelize, settings, workerId, pacer } = this.host;
    await this.giveBackWaiting();
    await pacer.refresh();
    const full = this.queue.fullGroups();
    const claimed = await claimBatch(
      sequelize,
      this.runId,
      workerId,
      settings.batchSize,
      settings.leaseMs,
      new Date(),
      pacer.excludedDomains(full),
    );
    this.host.hold(claimed);
    this.queue.push(claimed);
    // Fewer than asked: the run is done for now (but for the full groups left out), or was halted (then the
    // lanes stop at once).
    if (claimed.length < settings.batchSize) {
      this.exhausted = true;
      this.skippedAtClaim = new Set(full);
      await this.readState();
    }
    // After the claim, so lanes that ran dry never wait for a recount.
    if (Date.now() - this.countedAt >= COUNTER_REFRESH_MS) {
      this.countedAt = Date.now();
      await refreshRunCounters(sequelize, this.runId);
      await this.host.onBatch?.(this.runId);
    }
  }

  /** Claims of groups that began to wait: given back now, so that the claims of other workers skip them too. */
  private async giveBackWaiting(): Promise<void> {
    const ids = this.waiting.splice(0).map((d) => d.id);
    if (ids.length === 0) return;
    await this.host.giveBack(ids);
    for (const id of ids) this.host.forget(id);
  }

  /** Claimed but never sent: given back. On a database error the leases simply run out instead. */
  private async giveBackUnsent(): Promise<number> {
    const ids = [...this.queue.drain(), ...this.setAside.splice(0), ...this.waiting.splice(0)].map((d) => d.id);
    await this.host.giveBack(ids).catch(() => undefined);
    for (const id of ids) this.host.forget(id);
    return ids.length;
  }
}
