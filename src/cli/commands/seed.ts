// `mailer seed`: loads the demo data (idempotent).
import type { Command } from 'commander';
import type { DemoLogin } from '../../../seeders/demo-data.js';
import { migrateUp } from '../../db/migrations.js';
import { AppError } from '../../errors.js';
import { migrationOptions, say, withDatabase } from '../context.js';

/** Prints the demo accounts so a first-time user can log in. */
export function printDemoLogins(logins: DemoLogin[]): void {
  say('Demo logins (development only):');
  for (const { role, email, password, language } of logins)
    say(`  ${role.padEnd(16)} ${email.padEnd(22)} ${password}  (${language})`);
}

/** Registers the seed command. */
export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('load demo data: one user per role, clients, messages, mailings, blog posts (safe to repeat)')
    .action(async () => {
      await withDatabase(async ({ config, logger, sequelize }) => {
        if (config.isProduction) throw new AppError('refusing to load demo data with NODE_ENV=production');
        await migrateUp(sequelize, migrationOptions({ config, logger }));
        const [{ seedDemoData }, { seedDemoSenders }] = await Promise.all([
          import('../../../seeders/demo-data.js'),
          import('../../../seeders/demo-senders.js'),
        ]);
        const result = await seedDemoData(sequelize, { timeZone: config.timeZone });
        result.createdRows += await seedDemoSenders(config.senders);
        say(result.createdRows ? `demo data loaded (${result.createdRows} rows)` : 'demo data already present');
        printDemoLogins(result.logins);
      });
    });
}
