// `mailer send`: runs one mailing now, or every due mailing, in the foreground, and reports the outcome.
import type { Command } from 'commander';
import { Op } from 'sequelize';
import { Mailing, MailingRun } from '../../db/models/index.js';
import { dispatchDueRun, reapInterruptedDeliveries, startRunNow } from '../../delivery/mailing-lifecycle.js';
import { resumeRun } from '../../delivery/runs.js';
import { RunWorker, workUntilEnded } from '../../delivery/run-worker.js';
import { createMailTransport } from '../../delivery/transports.js';
import { migrateUp } from '../../db/migrator.js';
import { AppError, NotFoundError } from '../../errors.js';
import { say, withDatabase } from '../context.js';

function parseId(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) throw new AppError(`"${value}" is not a mailing id`);
  return id;
}

function summary(run: MailingRun): string {
  return `run #${run.id}: ${run.state}; ${run.totalCount} recipients, ${run.sentCount} sent, ${run.failedCount} failed, ${run.unknownCount} unknown, ${run.pendingCount} pending`;
}

/** Registers the send command. */
export function registerSend(program: Command): void {
  program
    .command('send')
    .description('send one mailing now (--mailing ID) or every due mailing (--due), in the foreground')
    .option('--mailing <id>', 'the mailing to send now (continues its active run if it has one)', parseId)
    .option('--due', 'start every mailing whose run is due, finish every active run, then exit')
    .action(async (options: { mailing?: number; due?: boolean }) => {
      if (!options.mailing === !options.due) throw new AppError('say either --mailing ID or --due');
      await withDatabase(async ({ config, logger, sequelize }) => {
        await migrateUp(sequelize);
        // Deliveries a dead worker left mid-send become `unknown` before anything is resumed.
        await reapInterruptedDeliveries(sequelize);
        const transport = createMailTransport(config);
        const showProgress = async (runId: number): Promise<void> => {
          if (!process.stdout.isTTY) return;
          const run = await MailingRun.findByPk(runId);
          if (run) process.stdout.write(`\r${summary(run)}   `);
        };
        const worker = new RunWorker({ sequelize, config, transport, logger, onBatch: showProgress });
        let interrupted = false;
        const interrupt = (): void => {
          interrupted = true;
          worker.stop();
        };
        process.once('SIGINT', interrupt);
        process.once('SIGTERM', interrupt);
        try {
          let runIds: number[];
          if (options.mailing) {
            const mailing = await Mailing.findByPk(options.mailing);
            if (!mailing) throw new NotFoundError(`no mailing #${options.mailing}`);
            const active = await MailingRun.findOne({
              where: { mailingId: mailing.id, state: { [Op.in]: ['running', 'paused'] } },
            });
            if (active?.state === 'paused') await resumeRun(active.id);
            runIds = [(active ?? (await startRunNow(sequelize, mailing.id))).id];
          } else {
            const due = await Mailing.findAll({
              where: { isDisabled: false, nextRunAt: { [Op.lte]: new Date() } },
              attributes: ['id'],
            });
            for (const m of due) await dispatchDueRun(sequelize, m.id);
            runIds = (
              await MailingRun.findAll({ where: { state: 'running' }, attributes: ['id'], order: [['id', 'ASC']] })
            ).map((r) => r.id);
            say(`${due.length} mailing(s) due, ${runIds.length} run(s) to work on (via ${transport.description})`);
          }
          const failures: string[] = [];
          for (const runId of runIds) {
            const progress = await workUntilEnded(worker, runId);
            const run = await MailingRun.findByPk(runId, { rejectOnEmpty: true });
            if (process.stdout.isTTY) process.stdout.write('\r');
            say(summary(run));
            if (progress.state !== 'finished')
              failures.push(`run #${runId} ${progress.state}${run.pausedReason ? `: ${run.pausedReason}` : ''}`);
            if (interrupted) break;
          }
          const { accepted, temporary, permanent } = worker.attempts;
          say(`this process: ${accepted} accepted, ${temporary} temporary failures, ${permanent} permanent failures`);
          if (interrupted) throw new AppError('interrupted; unsent deliveries stay queued for the scheduler');
          if (failures.length) throw new AppError(`not finished: ${failures.join('; ')}`);
        } finally {
          process.off('SIGINT', interrupt);
          process.off('SIGTERM', interrupt);
          worker.stop();
          transport.close();
        }
      });
    });
}
