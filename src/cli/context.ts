// What every CLI command needs: the config, a logger and an open, migrated-or-not database.
import type { Sequelize } from 'sequelize';
import { readConfig, type Config } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { createLogger, type Logger } from '../logger.js';

export interface CommandContext {
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
}

/** Opens the database for one command and always closes it afterwards. */
export async function withDatabase<T>(work: (ctx: CommandContext) => Promise<T>): Promise<T> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const sequelize = await openDatabase(config.database);
  try {
    return await work({ config, logger, sequelize });
  } finally {
    await sequelize.close();
  }
}

/** Prints a line for the person at the terminal (not a log record). */
export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}
