// Sends a run's deliveries: claims batches, sends each through the transport, logs every attempt's outcome.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config.js';
import { Delivery, Mailing, MailingRun, Message } from '../db/models/index.js';
import type { Logger } from '../logger.js';
import {
  claimBatch,
  markSending,
  nextRetryAt,
  releaseUnattempted,
  renewLeases,
  type ClaimedDelivery,
} from './claims.js';
import { composeEmail, type ComposeSettings, type MessageContent } from './compose.js';
import { settleMailingStatus } from './mailing-lifecycle.js';
import { finishRunIfDone, pauseRun, refreshRunCounters } from './runs.js';
import { outcomeOfFailure, outcomeOfSuccess, type Outcome } from './smtp-outcome.js';
import type { MailTransport } from './transports.js';

export type RunProgress =
  { state: 'finished' | 'cancelled' | 'paused' | 'stopped' | 'gone' } | { state: 'waiting'; wakeAt: Date };

export interface WorkerDependencies {
  sequelize: Sequelize;
  config: Pick<Config, 'delivery' | 'mailFrom' | 'appUrl' | 'sessionSecret'>;
  transport: MailTransport;
  logger: Logger;
  /** Called after each batch (for progress bars). */
  onBatch?: (runId: number) => void | Promise<void>;
}

/** Exponential backoff: base, 2×base, 4×base… after the 1st, 2nd, 3rd attempt. */
export function backoffDelayMs(baseMs: number, attempt: number): number {
  return baseMs * 2 ** Math.max(0, attempt - 1);
}

/** Runs async work over items with at most `limit` at a time; stops taking new items once `stop()` is true. */
async function forEachConcurrently<T>(
  items: T[],
  limit: number,
  stop: () => boolean,
  work: (item: T) => Promise<void>,
): Promise<T[]> {
  const untouched: T[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      if (stop()) {
        untouched.push(item);
        continue;
      }
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return untouched;
}

/** One worker per process: it may work on several runs at once, sharing one transport. */
export class RunWorker {
  readonly id = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private stopping = false;
  private readonly leaseTimer: NodeJS.Timeout;
  /** What this worker itself has done (attempts by outcome), for the CLI's summary. */
  readonly attempts = { accepted: 0, temporary: 0, permanent: 0 };
  /** Deliveries this worker has claimed and not yet logged: the only leases it renews. */
  private readonly held = new Set<number>();

  constructor(private readonly deps: WorkerDependencies) {
    const { leaseMs } = deps.config.delivery;
    this.leaseTimer = setInterval(
      () => {
        renewLeases(this.id, [...this.held], leaseMs).catch((err: unknown) =>
          deps.logger.warn({ err }, 'renewing delivery leases failed'),
        );
      },
      Math.max(250, Math.floor(leaseMs / 3)),
    );
    this.leaseTimer.unref();
  }

  /** Asks every run in progress to stop after its in-flight messages; unattempted claims are given back. */
  stop(): void {
    this.stopping = true;
    clearInterval(this.leaseTimer);
  }

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Works on a run until it is finished, paused, cancelled, or only has retries that are not due yet. */
  async processRun(runId: number): Promise<RunProgress> {
    const { sequelize, config, logger } = this.deps;
    const settings = config.delivery;
    const content = await this.loadContent(runId);
    if (!content) return { state: 'gone' };
    const compose: ComposeSettings = { from: config.mailFrom, appUrl: config.appUrl, secret: config.sessionSecret };

    for (;;) {
      if (this.stopping) return { state: 'stopped' };
      const run = await MailingRun.findByPk(runId, { attributes: ['id', 'state', 'mailingId'] });
      if (!run) return { state: 'gone' };
      if (run.state === 'paused' || run.state === 'cancelled' || run.state === 'finished') return this.ended(run);

      const batch = await claimBatch(sequelize, runId, this.id, settings.batchSize, settings.leaseMs);
      if (batch.length === 0) {
        if (await finishRunIfDone(sequelize, runId)) {
          await settleMailingStatus(run.mailingId);
          logger.info({ runId }, 'run finished');
          return { state: 'finished' };
        }
        const wakeAt = await nextRetryAt(sequelize, runId);
        // Nothing due: either retries wait for their backoff, or another worker holds the rest.
        return { state: 'waiting', wakeAt: wakeAt ?? new Date(Date.now() + Math.min(settings.leaseMs, 5_000)) };
      }

      let consecutiveConnectionFailures = 0;
      let outage: Outcome | null = null;
      let runStopped = false;
      for (const d of batch) this.held.add(d.id);
      let untouched: ClaimedDelivery[];
      try {
        untouched = await forEachConcurrently(
          batch,
          settings.poolSize,
          () => this.stopping || outage !== null || runStopped,
          async (delivery) => {
            if (!(await markSending(delivery.id, this.id))) {
              runStopped = true; // the run was cancelled (its pending deliveries failed) or the lease was lost
              return;
            }
            const outcome = await this.attempt(content, runId, delivery, compose);
            await this.record(delivery, outcome);
            this.attempts[outcome.kind] += 1;
            consecutiveConnectionFailures = outcome.connectionLevel ? consecutiveConnectionFailures + 1 : 0;
            if (consecutiveConnectionFailures >= settings.outageThreshold) outage = outcome;
          },
        );
        await releaseUnattempted(
          this.id,
          untouched.map((d) => d.id),
        );
      } finally {
        // On a database error mid-batch, the leases simply run out: "sending" ones become unknown, the rest due again.
        for (const d of batch) this.held.delete(d.id);
      }
      await refreshRunCounters(sequelize, runId);
      await this.deps.onBatch?.(runId);

      if (outage) {
        const reason = `SMTP unavailable: ${(outage as Outcome).reply}`.slice(0, 500);
        const resumeAt = new Date(Date.now() + settings.outagePauseMs);
        await pauseRun(runId, reason, resumeAt).catch(() => undefined);
        logger.warn({ runId, reason, resumeAt }, 'run paused: SMTP server unavailable');
        return { state: 'paused' };
      }
    }
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
        delivery.attemptCount + 1,
      );
      const info = await this.deps.transport.send(mail);
      return { ...outcomeOfSuccess(info), messageId: info.messageId };
    } catch (error) {
      return outcomeOfFailure(error);
    }
  }

  /** Writes the attempt's outcome to the log: sent, failed, or pending again after a backoff. */
  private async record(delivery: ClaimedDelivery, outcome: Outcome): Promise<void> {
    const { maxAttempts, backoffBaseMs } = this.deps.config.delivery;
    const attempt = delivery.attemptCount + 1;
    const now = new Date();
    const common = {
      smtpResponse: outcome.reply,
      errorClass: outcome.errorClass,
      leaseOwner: null,
      leaseExpiresAt: null,
    };
    let update: Partial<Delivery>;
    if (outcome.kind === 'accepted') {
      update = {
        ...common,
        status: 'sent',
        sentAt: now,
        nextAttemptAt: null,
        smtpMessageId: outcome.messageId ?? null,
      };
    } else if (outcome.kind === 'permanent' || attempt >= maxAttempts) {
      update = { ...common, status: 'failed', nextAttemptAt: null };
    } else {
      update = {
        ...common,
        status: 'pending',
        nextAttemptAt: new Date(now.getTime() + backoffDelayMs(backoffBaseMs, attempt)),
      };
    }
    await Delivery.update(update, { where: { id: delivery.id, leaseOwner: this.id } });
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
