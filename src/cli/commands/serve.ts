// `mailer serve`: migrates, loads demo data on a first development start, and serves the web app.
import type { Server } from 'node:http';
import type { Command } from 'commander';
import { User } from '../../db/models/index.js';
import { SystemMailer } from '../../accounts/system-mail.js';
import { closeGracefully } from '../../web/graceful-close.js';
import { startMetricsServer } from '../../web/metrics-server.js';
import { runningService } from '../../health/readiness.js';
import { ADMIN_BUNDLE_DIR } from '../../../admin/bundle-dir.js';
import type { Config } from '../../config.js';
import { mailFolders, type WrittenFolder } from '../../writable-folders.js';
import { openForService, say, stopOnSignal } from '../context.js';
import { printDemoLogins } from './seed.js';

/**
 * What the site writes: uploads (an import's file), the outbox (system mail, and the scheduler's unless it is off)
 * and, in production, AdminJS's bundle of the back office's components (ADMIN_JS_TMP_DIR).
 */
function servedFolders(config: Config): WrittenFolder[] {
  return [
    { variable: 'UPLOAD_DIR', dir: config.uploadDir },
    ...mailFolders(config),
    ...(config.isProduction ? [{ variable: 'ADMIN_JS_TMP_DIR', dir: ADMIN_BUNDLE_DIR }] : []),
  ];
}

/** Registers the serve command. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the web site (and the scheduler unless SCHEDULER=off); applies migrations first')
    .action(async () => {
      const context = await openForService(servedFolders);
      const { config, logger, sequelize } = context;
      if (!config.isProduction && (await User.count()) === 0) {
        const { seedDemoData } = await import('../../../seeders/demo-data.js');
        const { logins } = await seedDemoData(sequelize, { timeZone: config.timeZone });
        printDemoLogins(logins);
      }

      // Loaded here, not at the top: every command module is loaded for every command, and the site (AdminJS,
      // Express, Pug), the accounts' housekeeping, the bounce parser and the scheduler's timers would cost `send`
      // ~100 MB.
      const [{ startBounceListener }, { startSessionPruning }, { createApp }, { startScheduler }] = await Promise.all([
        import('../../bounces/bounce-listener.js'),
        import('../../accounts/housekeeping.js'),
        import('../../app.js'),
        import('../../delivery/start-scheduler.js'),
      ]);
      const stopScheduler = config.schedulerEnabled
        ? await startScheduler({ sequelize, config, logger })
        : () => Promise.resolve();
      const bounces =
        config.bounces.listenInServe && config.bounces.domain
          ? await startBounceListener(sequelize, config.bounces, logger)
          : null;
      const systemMailer = new SystemMailer(config, logger, sequelize);
      const stopPruning = startSessionPruning(logger, sequelize);
      const service = runningService();
      const app = createApp({ config, sequelize, logger, systemMailer, service });
      const { startImportReaper } = await import('../../clients/client-import-reaper.js');
      const { interruptClientImports } = await import('../../clients/client-import-job.js');
      const { importFolder } = await import('../../clients/client-imports.routes.js');
      const stopReaper = startImportReaper(config.clientImportStaleSeconds, importFolder(config.uploadDir), logger);
      const stopMetrics = await startMetricsServer(config.operations, sequelize, logger);
      const server: Server = await new Promise((resolve, reject) => {
        const listening = app.listen(config.port, () => resolve(listening));
        listening.once('error', reject);
      });
      stopOnSignal(context, async () => {
        service.shuttingDown = true;
        await Promise.all([closeGracefully(server), stopMetrics()]);
        stopPruning();
        stopReaper();
        // An import under way ends as interrupted (nothing kept) rather than waiting for its heartbeat to go stale.
        await interruptClientImports();
        await bounces?.close();
        await Promise.all([stopScheduler(), systemMailer.close()]);
      });

      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      logger.info({ port }, 'listening');
      say(
        `Mailer is running: open ${config.appUrl === `http://localhost:${config.port}` ? `http://localhost:${port}` : config.appUrl}`,
      );
    });
}
