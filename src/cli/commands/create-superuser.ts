// `mailer createsuperuser --email E`: creates an admin, asking for the password or reading it from the env.
import type { Command } from 'commander';
import { migrateUp } from '../../db/migrations.js';
import { AppError } from '../../errors.js';
import { migrationOptions, say, withDatabase } from '../context.js';

export const SUPERUSER_PASSWORD_ENV = 'SUPERUSER_PASSWORD';

async function askPassword(): Promise<string> {
  const fromEnv = process.env[SUPERUSER_PASSWORD_ENV];
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) {
    throw new AppError(`no password: set ${SUPERUSER_PASSWORD_ENV} or run in a terminal to be asked`);
  }
  const { read } = await import('read');
  const password = await read({ prompt: 'Password: ', silent: true, replace: '*' });
  const again = await read({ prompt: 'Password (again): ', silent: true, replace: '*' });
  if (password !== again) throw new AppError('the passwords do not match');
  return password;
}

/** Registers the createsuperuser command. */
export function registerCreateSuperuser(program: Command): void {
  program
    .command('createsuperuser')
    .description(`create an admin account (password asked, or taken from ${SUPERUSER_PASSWORD_ENV})`)
    .requiredOption('--email <email>', "the admin's e-mail address")
    .option('--name <full name>', "the admin's full name", 'Administrator')
    .action(async (options: { email: string; name: string }) => {
      await withDatabase(async ({ config, logger, sequelize }) => {
        const password = await askPassword();
        await migrateUp(sequelize, migrationOptions({ config, logger }));
        const { createSuperuser } = await import('../../accounts/superuser.js');
        const user = await createSuperuser({
          email: options.email,
          password,
          fullName: options.name,
          timeZone: config.timeZone,
        });
        say(`admin ${user.email} created`);
      });
    });
}
