// The `mailer` command line: one door for serving, migrating, seeding and administration.
import { CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { AppError } from '../errors.js';
import { buildProgram } from './program.js';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/** Turns any failure into one line on stderr and a non-zero exit code. */
function fail(error: unknown): never {
  if (error instanceof CommanderError) {
    process.exit(
      ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) ? 0 : EXIT_USAGE,
    );
  }
  const known = error instanceof ConfigError || error instanceof AppError;
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`mailer: ${known ? message : `unexpected error: ${message}`}\n`);
  if (!known && process.env.DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(EXIT_FAILURE);
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  fail(error);
}
