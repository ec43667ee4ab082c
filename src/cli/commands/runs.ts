// `mailer runs`: lists mailing runs with their counters, newest first.
import type { Command } from 'commander';
import { Mailing, MailingRun } from '../../db/models/index.js';
import { AppError } from '../../errors.js';
import { say, withDatabase } from '../context.js';

/** Registers the runs command. */
export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list mailing runs with their counters, newest first')
    .option('--mailing <id>', 'only the runs of this mailing')
    .option('--limit <n>', 'how many runs to show', '20')
    .action(async (options: { mailing?: string; limit: string }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit <= 0)
        throw new AppError(`--limit must be a positive whole number (got "${options.limit}")`);
      const mailingId = options.mailing === undefined ? undefined : Number(options.mailing);
      if (mailingId !== undefined && (!Number.isInteger(mailingId) || mailingId <= 0))
        throw new AppError(`"${options.mailing}" is not a mailing id`);
      await withDatabase(async () => {
        const runs = await MailingRun.findAll({
          where: mailingId ? { mailingId } : {},
          include: [{ model: Mailing, as: 'mailing', attributes: ['name'] }],
          order: [['id', 'DESC']],
          limit,
        });
        if (runs.length === 0) {
          say('no runs');
          return;
        }
        say(['run', 'mailing', 'scheduled (UTC)', 'state', 'total', 'sent', 'failed', 'unknown', 'pending'].join('\t'));
        for (const run of runs) {
          const name = run.mailing?.name ?? '';
          say(
            [
              run.id,
              `#${run.mailingId} ${name}`,
              run.scheduledAt.toISOString().slice(0, 16).replace('T', ' '),
              run.state,
              run.totalCount,
              run.sentCount,
              run.failedCount,
              run.unknownCount,
              run.pendingCount,
            ].join('\t'),
          );
        }
      });
    });
}
