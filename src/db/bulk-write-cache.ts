// A bigger SQLite page cache for a transaction that writes a million rows into several indexes at once (a clients
// import, a run's snapshot): with SQLite's default 2 MB the indexes' pages are thrown out and read back over and
// over. Each Sequelize transaction has its own SQLite connection, closed with it, so the cache goes with it and
// the process's other connections keep the small default (connection.ts). Nothing to do on PostgreSQL.
import type { Sequelize, Transaction } from 'sequelize';
import type sqlite3 from 'sqlite3';

/** The page cache of a bulk write's SQLite connection: 64 MB (measured in docs/PERFORMANCE.md). */
const BULK_WRITE_CACHE_KIB = 65_536;

/** Gives the transaction's SQLite connection a 64 MB page cache, for a bulk write's many index pages. */
export function useBulkWriteCache(sequelize: Sequelize, transaction: Transaction): Promise<void> {
  if (sequelize.getDialect() !== 'sqlite') return Promise.resolve();
  const connection = (transaction as unknown as { connection: sqlite3.Database }).connection;
  return new Promise((resolve, reject) =>
    connection.exec(`PRAGMA cache_size = -${BULK_WRITE_CACHE_KIB}`, (error) => (error ? reject(error) : resolve())),
  );
}
