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

export const LANES_PER_CONNECTION = 1;
const COUNTER_REFRESH_MS = 1_000;
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
  delivery: ClaimedDelivery;
  /** The lane write that carries this delivery's mark. */
  write: LaneWrite;
  marked: Promise<boolean>;
  settled: boolean;
}

/** Exponential backoff: base, 2×base, 4×base… after the 1st, 2nd, 3rd attempt. */
export function backoffDelayMs(baseMs: number, attempt: number): number {
  return baseMs * 2 ** Math.max(0, attempt - 1);
}

/**
 * What the log says after an attempt: sent, failed, unknown, or pending again after a backoff. An attempt
 * that does not count (a failure during an outage) never ends a delivery and waits for no backoff.
 */
export function attemptResult(
  delivery: Pick<ClaimedDelivery, 'id' | 'attempt'>,
  outcome: Outcome,
  attemptedAt: Date,
  counted: boolean,
  settings: Pick<Config['delivery'], 'maxAttempts' | 'backoffBaseMs'>,
): AttemptResult {
  const final = outcome.kind !== 'temporary' || (counted && delivery.attempt >= settings.maxAttempts);
  const status = { accepted: 'sent', permanent: 'failed', unknown: 'unknown', temporary: 'failed' } as const;
  return {
    deliveryId: delivery.id,
    attemptedAt,
    status: final ? status[outcome.kind] : 'pending',
    reply: outcome.reply,
    errorClass: outcome.errorClass,
    messageId: outcome.kind === 'accepted' ? (outcome.messageId ?? null) : null,
    nextAttemptAt:
      final || !counted ? null : new Date(Date.now() + backoffDelayMs(settings.backoffBaseMs, delivery.attempt)),
    counted,
  };
}

/** Works on one run until it is done for now, halted (pause, cancel, block, stop), or the SMTP server is out. */
export class RunPass {
  private readonly queue: ClaimedDelivery[] = [];
  private readonly setAside: ClaimedDelivery[] = [];
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
      // A mark known to have failed: the delivery is not this worker's any more.
      if (current.settled && !(await this.confirmed(current))) continue;
      if (this.halted() || !this.host.mayAttempt(current.delivery.id)) {
        this.setAside.push(current.delivery);
        continue;
      }
      const attemptedAt = new Date();
      const { id } = current.delivery;
      const outcome = await this.host.send(
        current.delivery,
        () => !this.halted() && this.host.mayAttempt(id),
        () => this.confirmed(current),
      );
      if (!outcome) {
        if (await this.confirmed(current)) this.setAside.push(current.delivery);
        continue;
      }
      // A send that failed before its final dot may end before its mark is written: the outcome waits for the
      // mark, so that two lane writes in flight never touch the same row.
      if (!current.settled) await current.marked;
      const result = this.judge(current.delivery, outcome, attemptedAt);
      const next = this.reserve(this.halted() ? null : this.takeNow(), result);
      if (next) mine.push(next);
    }
    for (const reserved of mine) this.setAside.push(reserved.delivery);
  }

  /** Queues a lane's write (an outcome, a mark, or both); returns the marked delivery's reservation. */
  private reserve(delivery: ClaimedDelivery | null, outcome: AttemptResult | null): Reserved | null {
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

  /** Tallies an outcome into the outage streak and turns it into the log's result. */
  private judge(delivery: ClaimedDelivery, outcome: Outcome, attemptedAt: Date): AttemptResult {
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
    if (outcome.kind === 'permanent')
      suppressNoSuchUser(this.host.sequelize, delivery.id, outcome.reply).catch((err: unknown) => {
        this.failure ??= err;
      });
    return attemptResult(delivery, outcome, attemptedAt, !duringOutage, this.host.settings);
  }

  /** The next queued delivery, waiting for a claim in flight; null when the run has nothing more now. */
  private async nextFromQueue(): Promise<ClaimedDelivery | null> {
    while (!this.halted()) {
      const next = this.takeNow();
      if (next) return next;
      if (this.refilling) await this.refilling;
      else return null; // exhausted: takeNow starts a refill whenever one may bring more
    }
    return null;
  }

  /** Takes a queued delivery if there is one, starting a refill when the queue runs low. */
  private takeNow(): ClaimedDelivery | null {
    if (this.queue.length < this.lowWater && !this.exhausted) void this.startRefill();
    return this.queue.shift() ?? null;
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
    const { sequelize, settings, workerId } = this.host;
    const batch = await claimBatch(sequelize, this.runId, workerId, settings.batchSize, settings.leaseMs);
    this.host.hold(batch);
    this.queue.push(...batch);
    // Fewer than asked: the run is done for now, or was halted (then the lanes stop at once).
    if (batch.length < settings.batchSize) {
      this.exhausted = true;
      await this.readState();
    }
    // After the claim, so lanes that ran dry never wait for a recount.
    if (Date.now() - this.countedAt >= COUNTER_REFRESH_MS) {
      this.countedAt = Date.now();
      await refreshRunCounters(sequelize, this.runId);
      await this.host.onBatch?.(this.runId);
    }
  }

  /** Claimed but never sent: given back. On a database error the leases simply run out instead. */
  private async giveBackUnsent(): Promise<number> {
    const ids = [...this.queue.splice(0), ...this.setAside.splice(0)].map((d) => d.id);
    await this.host.giveBack(ids).catch(() => undefined);
    for (const id of ids) this.host.forget(id);
    return ids.length;
  }
}
