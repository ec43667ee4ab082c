// `mailer daemon`: the scheduler alone, without the web site (for a separate sending process).
import type { Command } from 'commander';
import { migrateUp } from '../../db/migrator.js';
import { startScheduler } from '../../delivery/start-scheduler.js';
import { readConfig } from '../../config.js';
import { openDatabase } from '../../db/connection.js';
import { createLogger } from '../../logger.js';
import { say } from '../context.js';

/** Registers the daemon command. */
export function registerDaemon(program: Command): void {
  program
    .command('daemon')
    .description('run only the scheduler and sender (no web); SIGTERM finishes in-flight messages and exits 0')
    .action(async () => {
      const config = readConfig();
      const logger = createLogger(config.logLevel);
      const sequelize = await openDatabase(config.database);
      await migrateUp(sequelize);
      const stopScheduler = await startScheduler({ sequelize, config, logger });
      const stop = (signal: string): void => {
        logger.info({ signal }, 'shutting down');
        void stopScheduler()
          .then(() => sequelize.close())
          .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
          .finally(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      say('Mailer daemon is running');
    });
}
