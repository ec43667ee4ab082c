// SQLite readers beside the writer. Sequelize's SQLite driver runs every statement outside a transaction on one
// connection, and node-sqlite3 runs one statement at a time per connection: a small customer's page waited behind
// a big customer's report (2.9 s against 4 ms idle, issue 17). With WAL, other connections read at the same time as
// the writer and each other, so a plain SELECT outside a transaction goes to the least busy of a few reader
// connections instead; anything else (writes, `… RETURNING`, a WITH that may write, a transaction's statements)
// stays on Sequelize's own connection, so the one-writer rules are those SQLite always had.
import type { Sequelize } from 'sequelize';
import type sqlite3 from 'sqlite3';

/** How many reader connections a process opens: node's thread pool runs four statements at a time. */
export const SQLITE_READERS = 3;

/** The one rule for what a reader may run: a statement that starts with SELECT (after a leading comment). */
export function isPlainSelect(sql: string): boolean {
  return /^\s*(?:\/\*[^*]*\*\/\s*)*SELECT\b/i.test(sql);
}

interface Reader {
  connection: sqlite3.Database;
  busy: number;
}

type QueryLike = { connection: unknown; options: { transaction?: unknown } };
type QueryClass = new (...args: never[]) => QueryLike & { run(sql: string, parameters: unknown): Promise<unknown> };

/**
 * Sends the connection's plain SELECTs outside transactions to `count` reader connections opened by `open`. The
 * readers join the driver's connection list, so closing the Sequelize instance closes them too.
 */
export function useSqliteReaders(sequelize: Sequelize, open: () => sqlite3.Database, count = SQLITE_READERS): void {
  const readers: Reader[] = [];
  const manager = sequelize.connectionManager as unknown as { connections: Record<string, sqlite3.Database> };
  const pick = (): Reader => {
    if (readers.length < count) {
      // Opened on first use: node-sqlite3 queues statements until the file is open.
      const reader = { connection: open(), busy: 0 };
      manager.connections[`reader-${readers.length}`] = reader.connection;
      readers.push(reader);
      return reader;
    }
    return readers.reduce((best, reader) => (reader.busy < best.busy ? reader : best));
  };
  // The dialect object is this instance's own; its Query class is the one Sequelize builds every query with.
  const dialect = (sequelize as unknown as { dialect: { Query: QueryClass } }).dialect;
  const Base = dialect.Query;
  dialect.Query = class ReaderQuery extends Base {
    override async run(sql: string, parameters: unknown): Promise<unknown> {
      if (this.options.transaction || !isPlainSelect(sql)) return super.run(sql, parameters);
      const reader = pick();
      this.connection = reader.connection;
      reader.busy += 1;
      try {
        return await super.run(sql, parameters);
      } finally {
        reader.busy -= 1;
      }
    }
  };
}
