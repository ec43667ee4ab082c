// Sends a run's deliveries: holds the leases of what it claimed, runs passes over runs, logs every attempt.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config.js';
import { Mailing, MailingRun, Message, User } from '../db/models/index.js';
import type { Logger } from '../logger.js';
import { countOutagePause } from '../metrics/metrics.js';
import {
  nextWorkAt,
  releaseUnattempted,
  renewLeases,
  writeLaneResults,
  type ClaimedDelivery,
  type LaneWrite,
} from './claims.js';
import { Coalescer } from './coalescer.js';
import { DestinationPacer } from './destination-pacer.js';
import { composeEmail, contentOf, type ComposeSettings, type MessageContent } from './compose.js';
import { senderProfileOf } from './sender-profile.js';
import { reapInterruptedDeliveries, settleMailingStatus } from './mailing-lifecycle.js';
import { RunPass, type PassHost, type PassResult, LANES_PER_CONNECTION } from './run-pass.js';
import { failCancelledDeliveries, finishRunIfDone, pauseRun, refreshRunCounters } from './runs.js';
import { outcomeOfFailure, outcomeOfSuccess, type Outcome, type OutcomeKind } from './smtp-outcome.js';
import { SendNotStarted, SendWithdrawn, type MailTransport } from './transports.js';

export type RunProgress =
  { state: 'finished' | 'cancelled' | 'paused' | 'stopped' | 'gone' | 'held' } | { state: 'waiting'; wakeAt: Date };

export interface WorkerDependencies {
  sequelize: Sequelize;
  config: Pick<Config, 'delivery' | 'mailFrom' | 'appUrl' | 'sessionSecret' | 'senders'> &
    Partial<Pick<Config, 'bounces'>>;
  transport: MailTransport;
  logger: Logger;
  /** Called after each claimed batch and at the end of a pass (for progress bars). */
  onBatch?: (runId: number) => void | Promise<void>;
}

/** Log writes wait this long to travel together, unless a lane needs one (its next mark) sooner. */
const RECORD_LINGER_MS = 20;
/**
 * Lane writes that may wait on the database at once: a lane's next mark then waits for one disk flush, not for
 * the flush in flight and then its own (PostgreSQL commits both with one flush when they meet).
 */
const LANE_WRITES_IN_FLIGHT = 2;
/** How long a worker with nothing due waits before it looks at a run again. */
const IDLE_WAKE_MS = 5_000;

/** One worker per process: it may work on several runs at once, sharing one transport. */
export class RunWorker {
  readonly id = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private stopping = false;
  private readonly leaseTimer: NodeJS.Timeout;
  /** What this worker itself has done (attempts by outcome), for the CLI's summary. */
  readonly attempts: Record<OutcomeKind, number> = { accepted: 0, temporary: 0, permanent: 0, unknown: 0 };
  /** Lane writes of every pass, coalesced into few statements. */
  private readonly recorder: Coalescer<LaneWrite, boolean>;
  /** Deliveries this worker has claimed and not yet logged, with when their leases run out: the only leases it renews. */
  private readonly held = new Map<number, number>();
  /**
   * This worker's writes to the deliveries it holds: on PostgreSQL two of them updating the same rows in
   * different orders on two connections would deadlock. Lane writes never share a row (a delivery's outcome is
   * written only once its mark is), so up to LANE_WRITES_IN_FLIGHT of them run together; a lease renewal or a
   * give-back touches many held rows and runs alone. This is the last exclusive write, queued or running.
   */
  private exclusiveWrite: Promise<unknown> = Promise.resolve();
  /** Lane writes running or waiting for the exclusive write before them. */
  private readonly laneWrites = new Set<Promise<unknown>>();
  private reaping: Promise<unknown> | null = null;
  /** Pacing per destination group for every run this worker sends. */
  private readonly pacer: DestinationPacer;

  /** Runs a write of many held rows once every write before it is done, and before any that comes after it. */
  private writeHeldRows<T>(write: () => Promise<T>): Promise<T> {
    const before = Promise.allSettled([this.exclusiveWrite, ...this.laneWrites]);
    const next = before.then(write);
    this.exclusiveWrite = next.catch(() => undefined);
    return next;
  }

  /** Runs a lane write after the exclusive write before it, beside other lane writes. */
  private writeLaneRows<T>(write: () => Promise<T>): Promise<T> {
    const next = this.exclusiveWrite.then(write);
    const tracked = next.catch(() => undefined);
    this.laneWrites.add(tracked);
    void tracked.then(() => this.laneWrites.delete(tracked));
    return next;
  }

  constructor(private readonly deps: WorkerDependencies) {
    const lanes = deps.config.delivery.poolSize * LANES_PER_CONNECTION;
    // Each lane holds the delivery it sends and the next one.
    this.pacer = new DestinationPacer(
      deps.sequelize,
      deps.config.delivery.pacing,
      2 * lanes,
      this.id,
      deps.config.delivery.leaseMs,
    );
    this.recorder = new Coalescer<LaneWrite, boolean>(
      async (writes) => {
        const marked = await this.writeLaneRows(() => writeLaneResults(deps.sequelize, this.id, writes));
        return writes.map((w) => w.markId !== null && marked.has(w.markId));
      },
      200,
      RECORD_LINGER_MS,
      lanes,
      LANE_WRITES_IN_FLIGHT,
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

  /** Asks every run in progress to stop after its in-flight messages; unattempted claims are given back. */
  stop(): void {
    this.stopping = true;
    clearInterval(this.leaseTimer);
    this.pacer.close();
  }

  /** Once every run it worked on has ended: gives back its places of the groups' concurrency at once. */
  async releasePacing(): Promise<void> {
    this.stop();
    await this.pacer
      .shutdown()
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'giving back pacing places failed'));
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /**
   * Works on a run until it is finished, paused, cancelled, held for a blocked owner, or only has retries (or
   * another worker's claims) that are not due yet. A dead worker's expired claims are reaped first.
   */
  async processRun(runId: number): Promise<RunProgress> {
    await this.reap();
    const content = await this.loadContent(runId);
    if (!content) return { state: 'gone' };
    // Everything this worker logs about the run carries its id.
    const log = this.deps.logger.child({ runId });
    const result = await new RunPass(this.passHost(runId, content, log), runId).run();
    return this.afterPass(runId, result, log);
  }

  /** Reaps dead workers' expired claims; passes starting together share one reap (one statement, no lock races). */
  private reap(): Promise<unknown> {
    this.reaping ??= reapInterruptedDeliveries(this.deps.sequelize).finally(() => {
      this.reaping = null;
    });
    return this.reaping;
  }

  /** What a pass over one run borrows from this worker. */
  private passHost(runId: number, content: MessageContent, log: Logger): PassHost {
    const { sequelize, config } = this.deps;
    const settings = config.delivery;
    const compose: ComposeSettings = {
      from: config.mailFrom,
      appUrl: config.appUrl,
      secret: config.sessionSecret,
      bounces: config.bounces,
    };
    return {
      sequelize,
      settings,
      workerId: this.id,
      isStopping: () => this.stopping,
      hold: (batch) => {
        for (const d of batch) this.held.set(d.id, d.leaseExpiresAt);
      },
      forget: (id) => this.held.delete(id),
      mayAttempt: (id) => {
        const expiresAt = this.held.get(id);
        return expiresAt !== undefined && expiresAt - Date.now() > settings.leaseMs / 3;
      },
      write: (write) => this.recorder.submit(write),
      hurry: (write) => this.recorder.hurry(write),
      send: async (delivery, mayStart, mayFinish) => {
        const outcome = await this.attempt(content, runId, delivery, compose, mayStart, mayFinish);
        if (outcome) this.attempts[outcome.kind] += 1;
        if (outcome)
          log.debug({ deliveryId: delivery.id, outcome: outcome.kind, errorClass: outcome.errorClass }, 'sent');
        return outcome;
      },
      giveBack: (ids) => this.writeHeldRows(() => releaseUnattempted(sequelize, this.id, ids)),
      pacer: this.pacer,
      onBatch: this.deps.onBatch,
    };
  }

  /** After a pass: counters recounted, then the run paused for an outage, finished, or left waiting. */
  private async afterPass(runId: number, pass: PassResult, log: Logger): Promise<RunProgress> {
    const { sequelize, config } = this.deps;
    const run = await MailingRun.findByPk(runId, { attributes: ['id', 'state', 'mailingId', 'pausedReason'] });
    // What was given back after a cancel is failed like the rest of the cancelled run.
    if (run?.state === 'cancelled' && pass.givenBack > 0)
      await failCancelledDeliveries(runId, run.pausedReason ?? 'Cancelled');
    // A recount, not an increment: several workers may share the run, and a recount is never counted twice.
    await refreshRunCounters(sequelize, runId);
    await this.deps.onBatch?.(runId);
    if (pass.outage) {
      const reason = `SMTP unavailable: ${pass.outage.reply}`.slice(0, 500);
      const resumeAt = new Date(Date.now() + config.delivery.outagePauseMs);
      await pauseRun(runId, { kind: 'smtp_unavailable', reason }, resumeAt).catch(() => undefined);
      countOutagePause();
      log.warn({ reason, resumeAt }, 'run paused: SMTP server unavailable');
      return { state: 'paused' };
    }
    if (this.stopping) return { state: 'stopped' };
    if (!run) return { state: 'gone' };
    if (run.state !== 'running') return this.ended(run);
    if (pass.state === 'held') return { state: 'held' };
    if (await finishRunIfDone(sequelize, runId)) {
      await settleMailingStatus(run.mailingId);
      log.info('run finished');
      return { state: 'finished' };
    }
    // Nothing due now: retries wait for their backoff, or another worker holds the rest (it may have died).
    const idle = Date.now() + IDLE_WAKE_MS;
    const wakeAt = (await nextWorkAt(sequelize, runId))?.getTime() ?? idle;
    return { state: 'waiting', wakeAt: new Date(Math.min(wakeAt + 10, idle)) };
  }

  private async ended(run: MailingRun): Promise<RunProgress> {
    if (run.state !== 'paused') await settleMailingStatus(run.mailingId);
    return { state: run.state as 'paused' | 'cancelled' | 'finished' };
  }

  private async loadContent(runId: number): Promise<MessageContent | null> {
    const run = await MailingRun.findByPk(runId, {
      include: [
        {
          model: Mailing,
          as: 'mailing',
          include: [
            { model: Message, as: 'message', include: [{ model: User, as: 'owner', attributes: ['fullName'] }] },
          ],
        },
      ],
    });
    const message = run?.mailing?.message;
    if (!run?.mailing || !message) return null;
    const content = contentOf(message, message.owner?.fullName ?? '', this.deps.config.mailFrom);
    return { ...content, sender: await senderProfileOf(run.mailing, this.deps.config.senders) };
  }

  /** One send; never throws: every failure becomes an outcome, a send that did not start is null. */
  private async attempt(
    content: MessageContent,
    runId: number,
    delivery: ClaimedDelivery,
    compose: ComposeSettings,
    mayStart: () => boolean,
    mayFinish: () => Promise<boolean>,
  ): Promise<Outcome | null> {
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
      const info = await this.deps.transport.send(mail, mayStart, mayFinish);
      return { ...outcomeOfSuccess(info), messageId: info.messageId };
    } catch (error) {
      if (error instanceof SendNotStarted || error instanceof SendWithdrawn) return null;
      return outcomeOfFailure(error);
    }
  }
}
