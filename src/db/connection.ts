// Opens the one Sequelize connection a process uses, for SQLite or PostgreSQL alike.
import { Sequelize, Transaction, type Options } from 'sequelize';
import sqlite3 from 'sqlite3';
import type { DatabaseTarget } from '../config.js';
import { AppError } from '../errors.js';
import { initModels } from './models/index.js';
import { useSqliteReaders } from './sqlite-readers.js';
import { noteStatement, tableInfoAnswer } from './sqlite-table-info.js';

const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * sqlite3's Database with a busy timeout: Sequelize opens one SQLite connection per transaction, and
 * without a timeout a second writer (another connection or process) fails at once with SQLITE_BUSY.
 */
class PatientDatabase extends sqlite3.Database {
  private readonly file: string;

  constructor(filename: string, mode?: number, callback?: (err: Error | null) => void) {
    super(filename, mode ?? sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE, callback);
    this.file = filename;
    this.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
    // With WAL, NORMAL syncs at checkpoints instead of every commit: still crash-safe for the database,
    // and the per-delivery log writes stop waiting on the disk.
    this.exec('PRAGMA synchronous = NORMAL');
    // The page cache stays at SQLite's default 2 MB: 32 MB bought no sending throughput and grew the process
    // by as much as the database grew (docs/PERFORMANCE.md).
  }

  // Sequelize sends its column-type look-ups, and every DDL statement, through `all` (sqlite-table-info.ts).
  override all(sql: string, ...rest: unknown[]): this {
    noteStatement(this.file, sql);
    const last = rest.at(-1);
    if (typeof last !== 'function') return super.all(sql, ...rest);
    const answer = tableInfoAnswer(this.file, sql, last as (err: Error | null, rows: unknown[]) => void);
    if (!answer) return this;
    return super.all(sql, ...rest.slice(0, -1), answer);
  }

  override run(sql: string, ...rest: unknown[]): this {
    noteStatement(this.file, sql);
    return super.run(sql, ...rest);
  }

  override exec(sql: string, callback?: (this: sqlite3.Statement, err: Error | null) => void): this {
    noteStatement(this.file, sql);
    return super.exec(sql, callback);
  }
}

const patientSqlite = { ...sqlite3, Database: PatientDatabase };

/** Connects to the configured database and binds every model to it (one such connection per process). */
export async function openDatabase(target: DatabaseTarget): Promise<Sequelize> {
  const sequelize = await connect(target);
  initModels(sequelize);
  return sequelize;
}

/** Opens a connection without binding the models: for migrations and checks on a second database. */
export async function connect(target: DatabaseTarget): Promise<Sequelize> {
  const common: Options = { logging: false, define: { underscored: true } };
  const sequelize =
    target.dialect === 'sqlite'
      ? new Sequelize({
          ...common,
          dialect: 'sqlite',
          storage: target.storage,
          dialectModule: patientSqlite,
          // BEGIN IMMEDIATE takes the write lock up front, so two processes wait for each other (busy
          // timeout) instead of failing when a read-then-write transaction tries to upgrade its lock.
          transactionType: Transaction.TYPES.IMMEDIATE,
        })
      : new Sequelize(target.url, { ...common, dialect: 'postgres', pool: { max: 10, min: 0, idle: 10_000 } });
  try {
    await sequelize.authenticate();
  } catch (error) {
    await sequelize.close();
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError(
      `cannot connect to the database in DATABASE_URL (${describe(target)}): ${reason}`,
      503,
      'database',
    );
  }
  if (target.dialect === 'sqlite' && target.storage !== ':memory:') {
    // WAL lets readers (the web) go on while one writer (the sender) commits; it is stored in the file.
    await sequelize.query('PRAGMA journal_mode = WAL');
    // Plain SELECTs then go to reader connections of their own, so no page waits behind another's long read.
    const storage = target.storage;
    useSqliteReaders(sequelize, () => new PatientDatabase(storage, sqlite3.OPEN_READWRITE));
  }
  return sequelize;
}

/** The target without its password, safe to print. */
function describe(target: DatabaseTarget): string {
  return target.dialect === 'sqlite'
    ? `sqlite:${target.storage}`
    : target.url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** Answers whether the database is reachable right now (for health checks). */
export async function isDatabaseReachable(sequelize: Sequelize): Promise<boolean> {
  try {
    await sequelize.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
