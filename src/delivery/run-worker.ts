// Sends a run's deliveries: claims batches, sends each through the transport, logs every attempt's outcome.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config.js';
import { Mailing, MailingRun, Message, type RunState } from '../db/models/index.js';
import type { Logger } from '../logger.js';
import {
  claimBatch,
  recordAttempts,
  type AttemptResult,
  nextRetryAt,
  releaseUnattempted,
  renewLeases,
  type ClaimedDelivery,
} from './claims.js';
import { Coalescer } from './coalescer.js';
import { composeEmail, type ComposeSettings, type MessageContent } from './compose.js';
import { deliveryEvents } from './events.js';
import { settleMailingStatus } from './mailing-lifecycle.js';
import { currentRunState, failCancelledDeliveries, finishRunIfDone, pauseRun, refreshRunCounters } from './runs.js';
import { outcomeOfFailure, outcomeOfSuccess, type Outcome } from './smtp-outcome.js';
import type { MailTransport } from './transports.js';

export type RunProgress =
  { state: 'finished' | 'cancelled' | 'paused' | 'stopped' | 'gone' } | { state: 'waiting'; wakeAt: Date };

export interface WorkerDependencies {
  sequelize: Sequelize;
  config: Pick<Config, 'delivery' | 'mailFrom' | 'appUrl' | 'sessionSecret'>;
  transport: MailTransport;
  logger: Logger;
  /** Called after each claimed batch and at the end of a pass (for progress bars). */
  onBatch?: (runId: number) => void | Promise<void>;
}

export const LANES_PER_CONNECTION = 1;
/** Log writes wait this long to travel together: nobody waits on them, and fewer statements cost less. */
const RECORD_LINGER_MS = 20;
const COUNTER_REFRESH_MS = 1_000;
/** How often a worker rereads its run's state, to see a pause or cancel made by another process. */
const RUN_STATE_POLL_MS = 1_000;

/** Outcomes waiting for their log write; lanes wait when this many pile up (a database slower than the SMTP server). */
export const UNWRITTEN_OUTCOMES_LIMIT = 200;

/** The local queue is refilled with a new batch when it runs this low, so lanes never wait for a claim. */
function refillThreshold(lanes: number, batchSize: number): number {
  return Math.max(lanes, Math.ceil(batchSize / 2));
}

/**
 * What a worker holds as "sending" at most, by group: claimed and queued, on the wire (one per lane), and sent
 * but not yet logged (usually only the last few tens of milliseconds' worth). A worker killed outright leaves
 * at most their sum `unknown`.
 */
export function heldDeliveriesLimits(settings: Pick<Config['delivery'], 'poolSize' | 'batchSize'>): {
  queued: number;
  inFlight: number;
  unwritten: number;
} {
  const lanes = settings.poolSize * LANES_PER_CONNECTION;
  return {
    queued: refillThreshold(lanes, settings.batchSize) - 1 + settings.batchSize,
    inFlight: lanes,
    unwritten: UNWRITTEN_OUTCOMES_LIMIT,
  };
}

/** Exponential backoff: base, 2×base, 4×base… after the 1st, 2nd, 3rd attempt. */
export function backoffDelayMs(baseMs: number, attempt: number): number {
  return baseMs * 2 ** Math.max(0, attempt - 1);
}

/** One worker per process: it may work on several runs at once, sharing one transport. */
export class RunWorker {
  readonly id = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private stopping = false;
  private readonly leaseTimer: NodeJS.Timeout;
  /** What this worker itself has done (attempts by outcome), for the CLI's summary. */
  readonly attempts = { accepted: 0, temporary: 0, permanent: 0 };
  /** Log writes of all lanes, coalesced into few statements. */
  private readonly recorder: Coalescer<AttemptResult, void>;
  /** Deliveries this worker has claimed and not yet logged, with when their leases run out: the only leases it renews. */
  private readonly held = new Map<number, number>();
  /**
   * This worker's writes to the deliveries it holds (log, lease renewal, giving back) run one at a time: on
   * PostgreSQL two of them updating the same rows in different orders on two connections would deadlock.
   */
  private heldRowsWrites: Promise<unknown> = Promise.resolve();

  private writeHeldRows<T>(write: () => Promise<T>): Promise<T> {
    const next = this.heldRowsWrites.then(write, write);
    this.heldRowsWrites = next.catch(() => undefined);
    return next;
  }

  constructor(private readonly deps: WorkerDependencies) {
    this.recorder = new Coalescer<AttemptResult, void>(
      async (results) => {
        await this.writeHeldRows(() => recordAttempts(deps.sequelize, this.id, results));
        return results.map(() => undefined);
      },
      200,
      RECORD_LINGER_MS,
    );
    const { leaseMs } = deps.config.delivery;
    this.leaseTimer = setInterval(() => void this.renewHeldLeases(), Math.max(250, Math.floor(leaseMs / 3)));
    this.leaseTimer.unref();
  }

  /** Extends the leases of what this worker holds; a delivery whose lease was lost is dropped, never sent. */
  private async renewHeldLeases(): Promise<void> {
    const { leaseMs } = this.deps.config.delivery;
    const ids = [...this.held.keys()];
    const now = new Date();
    try {
      const kept = await this.writeHeldRows(() => renewLeases(this.deps.sequelize, this.id, ids, leaseMs, now));
      for (const id of ids) {
        if (!kept.has(id)) this.held.delete(id);
        else if (this.held.has(id)) this.held.set(id, now.getTime() + leaseMs);
      }
    } catch (err) {
      this.deps.logger.warn({ err }, 'renewing delivery leases failed');
    }
  }

  /** True while the lease on a held delivery has a safe margin left (renewals run every third of it). */
  private mayAttempt(deliveryId: number): boolean {
    const expiresAt = this.held.get(deliveryId);
    return expiresAt !== undefined && expiresAt - Date.now() > this.deps.config.delivery.leaseMs / 3;
  }

  /** Asks every run in progress to stop after its in-flight messages; unattempted claims are given back. */
  stop(): void {
    this.stopping = true;
    clearInterval(this.leaseTimer);
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /**
   * Works on a run until it is finished, paused, cancelled, or only has retries that are not due yet.
   * Deliveries stream through: lanes take from a local queue that is refilled with a new claimed batch
   * before it runs dry, so sending never stalls at batch boundaries.
   */
  async processRun(runId: number): Promise<RunProgress> {
    const { sequelize, config, logger } = this.deps;
    const settings = config.delivery;
    const content = await this.loadContent(runId);
    if (!content) return { state: 'gone' };
    const compose: ComposeSettings = { from: config.mailFrom, appUrl: config.appUrl, secret: config.sessionSecret };
    const lanes = settings.poolSize * LANES_PER_CONNECTION;

    const queue: ClaimedDelivery[] = [];
    const setAside: ClaimedDelivery[] = []; // claimed, but their leases are in doubt: given back unattempted
    const writes = new Set<Promise<void>>(); // log writes still in flight (only those: a run may be huge)
    let countedAt = Date.now(); // counters are recounted from the log, at most once a second while sending
    let runState: RunState = 'running';
    let haltRequested = false;
    let exhausted = false;
    let outage: Outcome | null = null;
    let failure: unknown = null;
    const refill$ = { current: null as Promise<void> | null }; // the claim in flight, if any
    let consecutiveConnectionFailures = 0;

    const halted = (): boolean =>
      this.stopping || haltRequested || outage !== null || runState !== 'running' || failure !== null;
    const readRunState = async (): Promise<void> => {
      runState = (await currentRunState(sequelize, runId)) ?? 'cancelled';
    };
    // A pause or cancel stops the lanes at once in this process, within a second from another one.
    const onHalted = (id: number): void => {
      if (id === runId) haltRequested = true;
    };
    deliveryEvents.on('run-halted', onHalted);
    const statePoll = setInterval(() => {
      readRunState().catch(() => undefined);
    }, RUN_STATE_POLL_MS);
    const refill = async (): Promise<void> => {
      if (halted()) return; // the claim itself gives nothing once the run is paused or cancelled
      const batch = await claimBatch(sequelize, runId, this.id, settings.batchSize, settings.leaseMs);
      for (const d of batch) this.held.set(d.id, d.leaseExpiresAt);
      queue.push(...batch);
      // Fewer than asked: the run is done for now, or was paused or cancelled (then the lanes stop at once).
      if (batch.length < settings.batchSize) {
        exhausted = true;
        await readRunState();
      }
      // After the claim, so lanes that ran dry never wait for a recount.
      if (Date.now() - countedAt >= COUNTER_REFRESH_MS) {
        countedAt = Date.now();
        await refreshRunCounters(sequelize, runId);
        await this.deps.onBatch?.(runId);
      }
    };
    const startRefill = (): Promise<void> =>
      (refill$.current ??= refill()
        .catch((err: unknown) => {
          failure ??= err;
        })
        .finally(() => {
          refill$.current = null;
        }));

    const sendOne = async (delivery: ClaimedDelivery): Promise<void> => {
      if (!this.mayAttempt(delivery.id)) {
        setAside.push(delivery);
        return;
      }
      const attemptedAt = new Date();
      const outcome = await this.attempt(content, runId, delivery, compose);
      const result = this.resultOf(delivery, outcome, attemptedAt);
      // The lane moves on while the log row is written; the pass waits for the writes in flight at the end.
      const write: Promise<void> = this.recorder
        .submit(result)
        .then(
          () => {
            this.held.delete(delivery.id);
          },
          (err: unknown) => {
            failure ??= err;
          },
        )
        .finally(() => writes.delete(write));
      writes.add(write);
      this.attempts[outcome.kind] += 1;
      consecutiveConnectionFailures = outcome.connectionLevel ? consecutiveConnectionFailures + 1 : 0;
      if (consecutiveConnectionFailures >= settings.outageThreshold) outage = outcome;
    };
    const lowWater = refillThreshold(lanes, settings.batchSize);
    const lane = async (): Promise<void> => {
      while (!halted()) {
        if (queue.length < lowWater && !exhausted) void startRefill();
        if (writes.size >= UNWRITTEN_OUTCOMES_LIMIT) await Promise.race(writes);
        const next = queue.shift();
        if (next) await sendOne(next);
        else if (refill$.current) await refill$.current;
        else if (exhausted) return;
      }
    };

    const untouched: number[] = [];
    try {
      await startRefill();
      await Promise.all(Array.from({ length: lanes }, lane));
      await refill$.current;
      await Promise.all([...writes]);
    } finally {
      deliveryEvents.off('run-halted', onHalted);
      clearInterval(statePoll);
      // Claimed but never attempted: give them back. On a database error the leases simply run out instead.
      untouched.push(...[...queue.splice(0), ...setAside.splice(0)].map((d) => d.id));
      await this.writeHeldRows(() => releaseUnattempted(sequelize, this.id, untouched)).catch(() => undefined);
      for (const id of untouched) this.held.delete(id);
    }
    if (failure) throw failure instanceof Error ? failure : new Error('a delivery pass failed', { cause: failure });
    const run = await MailingRun.findByPk(runId, { attributes: ['id', 'state', 'mailingId', 'pausedReason'] });
    // What was given back after a cancel is failed like the rest of the cancelled run.
    if (run?.state === 'cancelled' && untouched.length > 0)
      await failCancelledDeliveries(runId, run.pausedReason ?? 'Cancelled');
    // A recount, not an increment: several workers may share the run, and a recount is never counted twice.
    await refreshRunCounters(sequelize, runId);
    await this.deps.onBatch?.(runId);

    if (outage) {
      const reason = `SMTP unavailable: ${(outage as Outcome).reply}`.slice(0, 500);
      const resumeAt = new Date(Date.now() + settings.outagePauseMs);
      await pauseRun(runId, reason, resumeAt).catch(() => undefined);
      logger.warn({ runId, reason, resumeAt }, 'run paused: SMTP server unavailable');
      return { state: 'paused' };
    }
    if (this.stopping) return { state: 'stopped' };
    if (!run) return { state: 'gone' };
    if (run.state !== 'running') return this.ended(run);
    if (await finishRunIfDone(sequelize, runId)) {
      await settleMailingStatus(run.mailingId);
      logger.info({ runId }, 'run finished');
      return { state: 'finished' };
    }
    // Nothing due now: retries wait for their backoff, or another worker holds the rest.
    const wakeAt = await nextRetryAt(sequelize, runId);
    return { state: 'waiting', wakeAt: wakeAt ?? new Date(Date.now() + Math.min(settings.leaseMs, 5_000)) };
  }

  private async ended(run: MailingRun): Promise<RunProgress> {
    if (run.state !== 'paused') await settleMailingStatus(run.mailingId);
    return { state: run.state as 'paused' | 'cancelled' | 'finished' };
  }

  private async loadContent(runId: number): Promise<MessageContent | null> {
    const run = await MailingRun.findByPk(runId, {
      include: [{ model: Mailing, as: 'mailing', include: [{ model: Message, as: 'message' }] }],
    });
    const message = run?.mailing?.message;
    return message ? { subject: message.subject, bodyText: message.bodyText, bodyHtml: message.bodyHtml } : null;
  }

  /** One send; never throws: every failure becomes an outcome. */
  private async attempt(
    content: MessageContent,
    runId: number,
    delivery: ClaimedDelivery,
    compose: ComposeSettings,
  ): Promise<Outcome> {
    try {
      const mail = composeEmail(
        content,
        {
          deliveryId: delivery.id,
          runId,
          clientId: delivery.clientId,
          email: delivery.email,
          fullName: delivery.fullName,
        },
        compose,
        delivery.attempt,
      );
      const info = await this.deps.transport.send(mail);
      return { ...outcomeOfSuccess(info), messageId: info.messageId };
    } catch (error) {
      return outcomeOfFailure(error);
    }
  }

  /** What the log says after this attempt: sent, failed, or pending again after a backoff. */
  private resultOf(delivery: ClaimedDelivery, outcome: Outcome, attemptedAt: Date): AttemptResult {
    const { maxAttempts, backoffBaseMs } = this.deps.config.delivery;
    const { attempt } = delivery;
    const final = outcome.kind === 'accepted' || outcome.kind === 'permanent' || attempt >= maxAttempts;
    return {
      deliveryId: delivery.id,
      attemptedAt,
      status: outcome.kind === 'accepted' ? 'sent' : final ? 'failed' : 'pending',
      reply: outcome.reply,
      errorClass: outcome.errorClass,
      messageId: outcome.kind === 'accepted' ? (outcome.messageId ?? null) : null,
      nextAttemptAt: final ? null : new Date(Date.now() + backoffDelayMs(backoffBaseMs, attempt)),
    };
  }
}

/**
 * Works on a run until it ends (finished, paused, cancelled, stopped), sleeping through retry backoffs:
 * what a foreground `mailer send` does. A deadline bounds the wait.
 */
export async function workUntilEnded(worker: RunWorker, runId: number, deadline = Infinity): Promise<RunProgress> {
  for (;;) {
    const progress = await worker.processRun(runId);
    if (progress.state !== 'waiting' || worker.isStopping) return progress;
    const wait = Math.max(20, progress.wakeAt.getTime() - Date.now());
    if (Date.now() + wait > deadline) return progress;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
