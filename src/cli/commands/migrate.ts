// `mailer migrate`: applies pending schema migrations.
import type { Command } from 'commander';
import { migrationOptions, say, withDatabase } from '../context.js';

/** Registers the migrate command. */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations')
    .option('--status', 'list applied and pending migrations instead of applying them')
    .action(async (options: { status?: boolean }) => {
      await withDatabase(async ({ config, logger, sequelize }) => {
        const { createMigrator } = await import('../../db/migrator.js'); // Umzug: ~24 MB `send` need not load
        const migrator = createMigrator(sequelize, migrationOptions({ config, logger }));
        if (options.status) {
          for (const m of await migrator.executed()) say(`applied  ${m.name}`);
          for (const m of await migrator.pending()) say(`pending  ${m.name}`);
          return;
        }
        const applied = await migrator.up();
        say(applied.length ? `applied ${applied.map((m) => m.name).join(', ')}` : 'database is up to date');
      });
    });
}
