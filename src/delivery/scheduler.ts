// The scheduler: a timer per mailing's next run, a periodic reconcile, and the worker kept busy on active runs.
import schedule, { type Job } from 'node-schedule';
import { Op, type Sequelize } from 'sequelize';
import type { Config } from '../config.js';
import { Mailing, MailingRun } from '../db/models/index.js';
import type { Logger } from '../logger.js';
import { deliveryEvents } from './events.js';
import { dispatchDueRun, reapInterruptedDeliveries, settleMailingStatus } from './mailing-lifecycle.js';
import { resumeRun } from './runs.js';
import { RunWorker } from './run-worker.js';
import { reapTestSends, TestSender } from './test-sends.js';
import type { MailTransport } from './transports.js';

export interface SchedulerDependencies {
  sequelize: Sequelize;
  config: Config;
  logger: Logger;
  transport: MailTransport;
}

/** Keeps every mailing's runs going on time; one per process (serve or daemon), several may share a database. */
export class Scheduler {
  readonly worker: RunWorker;
  readonly testSender: TestSender;
  private readonly mailingTimers = new Map<number, { job: Job; at: number }>();
  private readonly wakeTimers = new Map<number, NodeJS.Timeout>();
  private readonly activeRuns = new Map<number, Promise<void>>();
  private reconcileJob: Job | null = null;
  private reconciling: Promise<void> | null = null;
  private stopped = false;
  private readonly onMailingChanged = (id: number): void => void this.timeMailing(id);
  private readonly onRunReady = (id: number): void => this.kick(id);
  private readonly onTestSendsQueued = (): void => void this.testSender.drain();

  constructor(private readonly deps: SchedulerDependencies) {
    this.worker = new RunWorker(deps);
    this.testSender = new TestSender(deps);
  }

  /** Loads every active mailing's next run, sets the timers and the reconcile job, and resumes work in progress. */
  async start(): Promise<void> {
    deliveryEvents.on('mailing-changed', this.onMailingChanged);
    deliveryEvents.on('run-ready', this.onRunReady);
    deliveryEvents.on('test-sends-queued', this.onTestSendsQueued);
    await this.reconcile();
    this.reconcileJob = schedule.scheduleJob(this.deps.config.delivery.reconcileCron, () => void this.reconcile());
    this.deps.logger.info({ transport: this.deps.transport.description, worker: this.worker.id }, 'scheduler started');
  }

  /**
   * Picks up what changed elsewhere (other processes, the clock): reaps dead workers' leases, resumes runs
   * whose outage pause is over, starts due runs, resets timers, and works on every active run.
   */
  reconcile(): Promise<void> {
    this.reconciling ??= this.reconcileOnce()
      .catch((err: unknown) => this.deps.logger.error({ err }, 'reconcile failed'))
      .finally(() => {
        this.reconciling = null;
      });
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<void> {
    if (this.stopped) return;
    const { sequelize } = this.deps;
    const now = new Date();

    for (const runId of await reapInterruptedDeliveries(sequelize, now)) {
      this.deps.logger.child({ runId }).warn('deliveries interrupted by a stopped worker marked unknown');
    }

    const pausedDue = await MailingRun.findAll({
      where: { state: 'paused', resumeAt: { [Op.lte]: now } },
      attributes: ['id'],
    });
    for (const run of pausedDue) await resumeRun(run.id).catch(() => undefined);

    const mailings = await Mailing.findAll({
      where: { isDisabled: false, nextRunAt: { [Op.ne]: null } },
      attributes: ['id', 'nextRunAt'],
    });
    const seen = new Set<number>();
    for (const mailing of mailings) {
      seen.add(mailing.id);
      await this.timeMailing(mailing.id, mailing.nextRunAt);
    }
    for (const [id, timer] of this.mailingTimers) {
      if (!seen.has(id)) {
        timer.job.cancel();
        this.mailingTimers.delete(id);
      }
    }

    const stale = await Mailing.findAll({
      where: { status: { [Op.ne]: 'completed' }, nextRunAt: null },
      attributes: ['id'],
    });
    for (const mailing of stale) await settleMailingStatus(mailing.id);

    const running = await MailingRun.findAll({ where: { state: 'running' }, attributes: ['id'] });
    for (const run of running) this.kick(run.id);

    // Test sends queued in another process (or missed while this one was busy), after a dead worker's are reaped.
    if ((await reapTestSends(now)) > 0)
      this.deps.logger.warn('test e-mails interrupted by a stopped worker marked unknown');
    void this.testSender.drain();
  }

  /** Sets (or resets) the timer of one mailing's next run; a run already due is dispatched now. */
  private async timeMailing(mailingId: number, knownNextRunAt?: Date | null): Promise<void> {
    if (this.stopped) return;
    let at = knownNextRunAt;
    if (at === undefined) {
      const mailing = await Mailing.findByPk(mailingId, { attributes: ['id', 'nextRunAt', 'isDisabled'] });
      at = mailing && !mailing.isDisabled ? mailing.nextRunAt : null;
    }
    const existing = this.mailingTimers.get(mailingId);
    if (existing && (!at || existing.at !== at.getTime())) {
      existing.job.cancel();
      this.mailingTimers.delete(mailingId);
    }
    if (!at) return;
    if (at.getTime() <= Date.now()) {
      await this.dispatch(mailingId);
      return;
    }
    if (this.mailingTimers.has(mailingId)) return;
    const job = schedule.scheduleJob(at, () => {
      this.mailingTimers.delete(mailingId);
      void this.dispatch(mailingId);
    });
    if (job) this.mailingTimers.set(mailingId, { job, at: at.getTime() });
  }

  private async dispatch(mailingId: number): Promise<void> {
    try {
      const run = await dispatchDueRun(this.deps.sequelize, mailingId);
      if (run) this.deps.logger.child({ runId: run.id }).info({ mailingId, recipients: run.totalCount }, 'run started');
      await this.timeMailing(mailingId);
    } catch (err) {
      this.deps.logger.error({ err, mailingId }, 'starting a due run failed');
    }
  }

  /** Makes sure this process's worker is working on the run (once), and comes back when retries are due. */
  kick(runId: number): void {
    if (this.stopped || this.activeRuns.has(runId)) return;
    const timer = this.wakeTimers.get(runId);
    if (timer) clearTimeout(timer);
    this.wakeTimers.delete(runId);
    const work = this.worker
      .processRun(runId)
      .then((progress) => {
        if (progress.state === 'waiting' && !this.stopped) {
          const delay = Math.max(50, progress.wakeAt.getTime() - Date.now());
          this.wakeTimers.set(
            runId,
            setTimeout(() => {
              this.wakeTimers.delete(runId);
              this.kick(runId);
            }, delay),
          );
        }
      })
      .catch((err: unknown) =>
        this.deps.logger.child({ runId }).error({ err }, 'working on a run failed; the next reconcile retries'),
      )
      .finally(() => this.activeRuns.delete(runId));
    this.activeRuns.set(runId, work);
  }

  /** Stops the timers, lets in-flight messages finish, gives back unattempted claims, and resolves when idle. */
  async stop(): Promise<void> {
    this.stopped = true;
    deliveryEvents.off('mailing-changed', this.onMailingChanged);
    deliveryEvents.off('run-ready', this.onRunReady);
    deliveryEvents.off('test-sends-queued', this.onTestSendsQueued);
    this.reconcileJob?.cancel();
    for (const { job } of this.mailingTimers.values()) job.cancel();
    this.mailingTimers.clear();
    for (const timer of this.wakeTimers.values()) clearTimeout(timer);
    this.wakeTimers.clear();
    this.worker.stop();
    await this.reconciling;
    await Promise.allSettled([...this.activeRuns.values(), this.testSender.stop()]);
    await this.worker.releasePacing();
  }
}
