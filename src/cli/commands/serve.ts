// `mailer serve`: migrates, loads demo data on a first development start, and serves the web app.
import type { Server } from 'node:http';
import type { Command } from 'commander';
import { seedDemoData } from '../../../seeders/demo-data.js';
import { readConfig } from '../../config.js';
import { openDatabase } from '../../db/connection.js';
import { migrateUp } from '../../db/migrator.js';
import { User } from '../../db/models/index.js';
import { createLogger } from '../../logger.js';
import { createApp } from '../../web/app.js';
import { startScheduler } from '../../delivery/start-scheduler.js';
import { say } from '../context.js';
import { printDemoLogins } from './seed.js';

/** Registers the serve command. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the web site (and the scheduler unless SCHEDULER=off); applies migrations first')
    .action(async () => {
      const config = readConfig();
      const logger = createLogger(config.logLevel);
      const sequelize = await openDatabase(config.database);
      const applied = await migrateUp(sequelize);
      if (applied.length) logger.info({ applied }, 'migrations applied');

      if (!config.isProduction && (await User.count()) === 0) {
        const { logins } = await seedDemoData(sequelize, { timeZone: config.timeZone });
        printDemoLogins(logins);
      }

      const stopScheduler = config.schedulerEnabled
        ? await startScheduler({ sequelize, config, logger })
        : () => Promise.resolve();
      const app = createApp({ config, sequelize, logger });
      const server: Server = await new Promise((resolve, reject) => {
        const listening = app.listen(config.port, () => resolve(listening));
        listening.once('error', reject);
      });
      const stop = (signal: string): void => {
        logger.info({ signal }, 'shutting down');
        server.close(() => {
          void stopScheduler()
            .then(() => sequelize.close())
            .catch((error: unknown) => logger.error({ err: error }, 'closing the database failed'))
            .finally(() => process.exit(0));
        });
        server.closeAllConnections();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));

      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      logger.info({ port }, 'listening');
      say(
        `Mailer is running: open ${config.appUrl === `http://localhost:${config.port}` ? `http://localhost:${port}` : config.appUrl}`,
      );
    });
}
