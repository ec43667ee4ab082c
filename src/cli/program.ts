// The `mailer` program: every command, registered in one place.
import { Command } from 'commander';
import { registerBounces } from './commands/bounces.js';
import { registerCreateSuperuser } from './commands/create-superuser.js';
import { registerDaemon } from './commands/daemon.js';
import { registerDomains } from './commands/domains.js';
import { registerRuns } from './commands/runs.js';
import { registerSend } from './commands/send.js';
import { registerMigrate } from './commands/migrate.js';
import { registerSeed } from './commands/seed.js';
import { registerServe } from './commands/serve.js';

/** Builds the program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('mailer')
    .description('Self-hosted e-mail mailing service')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerServe(program);
  registerMigrate(program);
  registerSeed(program);
  registerCreateSuperuser(program);
  registerDaemon(program);
  registerSend(program);
  registerRuns(program);
  registerBounces(program);
  registerDomains(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}
