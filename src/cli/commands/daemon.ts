// `mailer daemon`: the scheduler alone, without the web site (for a separate sending process).
import type { Command } from 'commander';
import { startScheduler } from '../../delivery/start-scheduler.js';
import { openForService, say, stopOnSignal } from '../context.js';

/** Registers the daemon command. */
export function registerDaemon(program: Command): void {
  program
    .command('daemon')
    .description('run only the scheduler and sender (no web); SIGTERM finishes in-flight messages and exits 0')
    .action(async () => {
      const context = await openForService();
      stopOnSignal(context, await startScheduler(context));
      say('Mailer daemon is running');
    });
}
