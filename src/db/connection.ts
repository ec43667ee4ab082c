// Opens the one Sequelize connection a process uses, for SQLite or PostgreSQL alike.
import { Sequelize, Transaction, type Options } from 'sequelize';
import sqlite3 from 'sqlite3';
import type { DatabaseTarget } from '../config.js';
import { AppError } from '../errors.js';
import { initModels } from './models/index.js';
import { useSqliteReaders } from './sqlite-readers.js';
import { PatientDatabase } from './patient-database.js';

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
