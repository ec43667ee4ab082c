// What every CLI command needs: the config, a logger and an open, migrated-or-not database.
import type { Sequelize } from 'sequelize';
import { readConfig, type Config } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { migrateUp, type MigrationOptions } from '../db/migrations.js';
import type { EventBridge } from '../db/event-bridge.js';
import { createLogger, type Logger } from '../logger.js';
import { assertWritableFolders, type WrittenFolder } from '../writable-folders.js';
import { bridgeProcessEvents } from './process-events.js';

export interface CommandContext {
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
}

/**
 * Opens the database for one command and always closes it afterwards; on PostgreSQL the events its work emits
 * (a run started, a mailing changed, statistics) reach the other processes before it closes.
 */
export async function withDatabase<T>(work: (ctx: CommandContext) => Promise<T>): Promise<T> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const sequelize = await openDatabase(config.database);
  const events = await bridgeProcessEvents({ config, logger, sequelize, listen: false });
  try {
    return await work({ config, logger, sequelize });
  } finally {
    await events?.close();
    await sequelize.close();
  }
}

/** What the migrations are given besides the connection: UPLOAD_DIR (0021 moves its images) and the logger. */
export function migrationOptions({ config, logger }: Pick<CommandContext, 'config' | 'logger'>): MigrationOptions {
  return { uploadDir: config.uploadDir, logger };
}

/** A long-running command's context: also its end of the events shared with other processes (PostgreSQL). */
export interface ServiceContext extends CommandContext {
  events: EventBridge | null;
}

/**
 * For long-running commands: config, logger, a database that is migrated and stays open, and the event bridge;
 * `folders` names what the command writes, checked before anything starts.
 */
export async function openForService(folders: (config: Config) => WrittenFolder[] = () => []): Promise<ServiceContext> {
  const config = readConfig();
  await assertWritableFolders(folders(config));
  const logger = createLogger(config.logLevel);
  const sequelize = await openDatabase(config.database);
  const applied = await migrateUp(sequelize, migrationOptions({ config, logger }));
  if (applied.length) logger.info({ applied }, 'migrations applied');
  const events = await bridgeProcessEvents({ config, logger, sequelize });
  return { config, logger, sequelize, events };
}

/**
 * On SIGTERM or SIGINT: runs `stop` once (finish in-flight work), then closes the event bridge (after the last
 * event that work announced) and the database, and exits 0.
 */
export function stopOnSignal({ logger, sequelize, events }: ServiceContext, stop: () => Promise<void>): void {
  const shutdown = (signal: string): void => {
    logger.info({ signal }, 'shutting down');
    void stop()
      .then(() => events?.close())
      .then(() => sequelize.close())
      .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
      .finally(() => process.exit(0));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

/** Prints a line for the person at the terminal (not a log record). */
export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}
