// `mailer bounces`: the inbound SMTP listener for bounces and complaints alone (BOUNCE_SMTP_HOST:BOUNCE_SMTP_PORT).
import type { Command } from 'commander';
import { openForService, say, stopOnSignal } from '../context.js';

/** Registers the bounces command. */
export function registerBounces(program: Command): void {
  program
    .command('bounces')
    .description('receive bounces and complaints over SMTP for BOUNCE_DOMAIN (port BOUNCE_SMTP_PORT)')
    .action(async () => {
      const context = await openForService();
      const { config, logger, sequelize } = context;
      if (!config.bounces.domain) {
        process.stderr.write('mailer bounces: BOUNCE_DOMAIN is not set, so no bounce can reach this listener\n');
        process.exitCode = 1;
        await sequelize.close();
        return;
      }
      const { startBounceListener } = await import('../../bounces/bounce-listener.js');
      const listener = await startBounceListener(sequelize, config.bounces, logger);
      stopOnSignal(context, () => listener.close());
      say(`Bounce listener for ${config.bounces.domain} on port ${listener.port}`);
    });
}
