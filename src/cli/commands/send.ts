// `mailer send`: runs one mailing, or every due mailing, in the foreground, and reports the outcome. A rerun
// after a crash continues the run that was cut short; sending a mailing to everyone again takes --again.
import type { Command } from 'commander';
import { Op, type Sequelize } from 'sequelize';
import { Mailing, MailingRun } from '../../db/models/index.js';
import { workUntilEnded } from '../../delivery/foreground.js';
import { dispatchDueRun, ownerIsBlocked, startRunNow } from '../../delivery/mailing-lifecycle.js';
import { ACTIVE_RUN_STATES, resumeRun } from '../../delivery/runs.js';
import { RunWorker } from '../../delivery/run-worker.js';
import { createMailTransport } from '../../delivery/transports.js';
import { migrateUp } from '../../db/migrations.js';
import { AppError, NotFoundError } from '../../errors.js';
import { assertWritableFolders, mailFolders } from '../../writable-folders.js';
import { migrationOptions, say, withDatabase } from '../context.js';

interface SendOptions {
  mailing?: number;
  due?: boolean;
  again?: boolean;
  resume?: boolean;
}

function parseId(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) throw new AppError(`"${value}" is not a mailing id`);
  return id;
}

function summary(run: MailingRun): string {
  return `run #${run.id}: ${run.state}; ${run.totalCount} recipients, ${run.sentCount} sent, ${run.failedCount} failed, ${run.unknownCount} unknown, ${run.pendingCount} pending`;
}

/** A pause a person made (an outage's pause has a `resume_at`): kept unless --resume says otherwise. */
function keptPause(run: MailingRun, options: SendOptions): boolean {
  return run.state === 'paused' && !run.resumeAt && !options.resume;
}

/** Why a run is left alone, for the line that says so. */
function pausedBy(run: MailingRun): string {
  return `run #${run.id} is paused (${run.pausedReason ?? 'by a person'})`;
}

/** A paused run is resumed with --resume; an outage pause is otherwise waited out, a person's pause honoured. */
async function continuePaused(run: MailingRun, options: SendOptions): Promise<void> {
  if (keptPause(run, options)) throw new AppError(`${pausedBy(run)}; say --resume to resume it`);
  if (run.state === 'paused' && options.resume) await resumeRun(run.id);
}

/**
 * The run `send --mailing` works on: the one under way (never a second one beside it), else the due
 * occurrence's, else a first run now; a mailing that has run and has nothing due is sent again only with
 * --again. Null when there is nothing to do.
 */
async function runForMailing(
  sequelize: Sequelize,
  mailingId: number,
  options: SendOptions,
): Promise<MailingRun | null> {
  const mailing = await Mailing.findByPk(mailingId);
  if (!mailing) throw new NotFoundError(`no mailing #${mailingId}`);
  if (await ownerIsBlocked(mailing)) throw new AppError(`mailing #${mailing.id}'s owner is blocked: nothing is sent`);
  const active = await MailingRun.findOne({
    where: { mailingId: mailing.id, state: { [Op.in]: ACTIVE_RUN_STATES } },
    order: [['scheduledAt', 'DESC']],
  });
  if (active) {
    if (options.again) throw new AppError(`run #${active.id} of mailing #${mailing.id} is still ${active.state}`);
    await continuePaused(active, options);
    return active;
  }
  if (options.again) return startRunNow(sequelize, mailing.id);
  const due = await dispatchDueRun(sequelize, mailing.id);
  if (due) return due;
  const last = await MailingRun.findOne({ where: { mailingId: mailing.id }, order: [['scheduledAt', 'DESC']] });
  if (!last) return startRunNow(sequelize, mailing.id);
  say(summary(last));
  say(`mailing #${mailing.id} has no run to continue and none is due; --again sends it to everyone again`);
  return null;
}

/** The runs `send --due` works on: due runs started, then every running run and every run paused by an outage. */
async function runsDue(sequelize: Sequelize, options: SendOptions): Promise<{ runIds: number[]; due: number }> {
  const due = await Mailing.findAll({
    where: { isDisabled: false, nextRunAt: { [Op.lte]: new Date() } },
    attributes: ['id'],
  });
  for (const m of due) await dispatchDueRun(sequelize, m.id);
  const runs = await MailingRun.findAll({
    where: { state: { [Op.in]: ['running', 'paused'] } },
    order: [['id', 'ASC']],
  });
  const runIds: number[] = [];
  for (const run of runs) {
    if (keptPause(run, options)) {
      say(`${pausedBy(run)}; left as it is (--resume resumes it)`);
      continue;
    }
    await continuePaused(run, options);
    runIds.push(run.id);
  }
  return { runIds, due: due.length };
}

/** The runs this command works on: the mailing's one, or every due mailing's. */
async function runIdsToSend(sequelize: Sequelize, options: SendOptions, via: string): Promise<number[]> {
  if (options.mailing) {
    const run = await runForMailing(sequelize, options.mailing, options);
    return run ? [run.id] : [];
  }
  const found = await runsDue(sequelize, options);
  say(`${found.due} mailing(s) due, ${found.runIds.length} run(s) to work on (via ${via})`);
  return found.runIds;
}

/** Works each run until it ends (waiting out pauses); returns why runs did not finish. */
async function sendRuns(worker: RunWorker, runIds: number[], interrupted: () => boolean): Promise<string[]> {
  const failures: string[] = [];
  for (const runId of runIds) {
    const progress = await workUntilEnded(worker, runId, {
      waitOutPauses: true,
      onPause: (run) => say(`run #${run.id} paused until ${run.resumeAt?.toISOString()}: ${run.pausedReason}; waiting`),
    });
    const run = await MailingRun.findByPk(runId, { rejectOnEmpty: true });
    if (process.stdout.isTTY) process.stdout.write('\r');
    say(summary(run));
    if (progress.state === 'held') failures.push(`run #${runId} held: its owner is blocked`);
    else if (progress.state !== 'finished')
      failures.push(`run #${runId} ${progress.state}${run.pausedReason ? `: ${run.pausedReason}` : ''}`);
    if (interrupted()) break;
  }
  return failures;
}

/** Shows a run's counters on one line while a terminal watches. */
async function showProgress(runId: number): Promise<void> {
  if (!process.stdout.isTTY) return;
  const run = await MailingRun.findByPk(runId);
  if (run) process.stdout.write(`\r${summary(run)}   `);
}

/** The command's work: a worker of its own sends the runs; Ctrl-C stops it, leaving the rest queued. */
async function send(options: SendOptions): Promise<void> {
  await withDatabase(async ({ config, logger, sequelize }) => {
    await assertWritableFolders(mailFolders(config));
    await migrateUp(sequelize, migrationOptions({ config, logger }));
    const transport = createMailTransport(config, sequelize);
    const worker = new RunWorker({ sequelize, config, transport, logger, onBatch: showProgress });
    let interrupted = false;
    const interrupt = (): void => {
      interrupted = true;
      worker.stop();
    };
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    try {
      const runIds = await runIdsToSend(sequelize, options, transport.description);
      const failures = await sendRuns(worker, runIds, () => interrupted);
      const { accepted, temporary, permanent, unknown } = worker.attempts;
      say(
        `this process: ${accepted} accepted, ${temporary} temporary failures, ${permanent} permanent failures, ${unknown} unknown`,
      );
      if (interrupted) throw new AppError('interrupted; unsent deliveries stay queued for the scheduler');
      if (failures.length) throw new AppError(`not finished: ${failures.join('; ')}`);
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
      await worker.releasePacing();
      transport.close();
    }
  });
}

/** Registers the send command. */
export function registerSend(program: Command): void {
  program
    .command('send')
    .description('send one mailing now (--mailing ID) or every due mailing (--due), in the foreground')
    .option('--mailing <id>', 'the mailing to send (continues its run under way, or starts the due one)', parseId)
    .option('--due', 'start every mailing whose run is due, finish every active run, then exit')
    .option('--again', 'with --mailing: start a new run to every recipient, even if the mailing has run before')
    .option('--resume', 'resume paused runs at once (a person’s pause, or an outage pause before its end)')
    .action(async (options: SendOptions) => {
      if (!options.mailing === !options.due) throw new AppError('say either --mailing ID or --due');
      if (options.again && !options.mailing) throw new AppError('--again goes with --mailing ID');
      await send(options);
    });
}
