// `mailer daemon`: the scheduler alone, without the web site (for a separate sending process).
import type { Command } from 'commander';
import { startMetricsServer } from '../../web/metrics-server.js';
import { mailFolders } from '../../writable-folders.js';
import { openForService, say, stopOnSignal } from '../context.js';

/** Registers the daemon command. */
export function registerDaemon(program: Command): void {
  program
    .command('daemon')
    .description('run only the scheduler and sender (no web); SIGTERM finishes in-flight messages and exits 0')
    .action(async () => {
      const context = await openForService(mailFolders);
      // Loaded here: every command module is loaded for every command, and `send` has no use for node-schedule.
      const { startScheduler } = await import('../../delivery/start-scheduler.js');
      const stopScheduler = await startScheduler(context);
      const stopMetrics = await startMetricsServer(context.config.operations, context.sequelize, context.logger);
      stopOnSignal(context, async () => {
        await Promise.all([stopScheduler(), stopMetrics()]);
      });
      say('Mailer daemon is running');
    });
}
