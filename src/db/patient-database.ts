// The SQLite driver's Database as every connection of ours opens it: a busy timeout, NORMAL syncs, and a handle
// that is never used once its closing began (issue 17: `mailer serve` stopped with SIGTERM died of an unhandled
// `SQLITE_MISUSE: Database handle is closed`). node-sqlite3 hands such a statement's error to its callback, or,
// when it has none (Sequelize's own `PRAGMA FOREIGN_KEYS=ON`, its `close()` of a transaction's connection, a
// statement prepared for later), emits it as an 'error' event that nothing listens to. So here a statement or
// close after the closing began is answered at once without reaching the driver, a second close is the first
// one's result, and a statement without a callback gets one, so no error is ever emitted.
import sqlite3 from 'sqlite3';
import { noteStatement, tableInfoAnswer } from './sqlite-table-info.js';

const SQLITE_BUSY_TIMEOUT_MS = 5_000;

type Done = (err: Error | null) => void;

/** The error a statement on a closing or closed connection is answered with, as the driver words it. */
export function closedHandleError(): Error {
  return Object.assign(new Error('SQLITE_MISUSE: Database handle is closed'), { code: 'SQLITE_MISUSE', errno: 21 });
}

/** A driver error nobody asked to hear (a statement run without a callback): said once on stderr, never thrown. */
function reportUnheard(this: void, err: Error | null): void {
  if (err) process.emitWarning(`SQLite statement without a callback failed: ${err.message}`, 'SQLiteWarning');
}

/**
 * sqlite3's Database with a busy timeout (Sequelize opens one SQLite connection per transaction, and without a
 * timeout a second writer fails at once with SQLITE_BUSY) and the closing rules above.
 */
export class PatientDatabase extends sqlite3.Database {
  private readonly file: string;
  private closed: Promise<Error | null> | null = null;
  /** Statements prepared and not yet finalized: the handle cannot close while one is left (SQLITE_BUSY). */
  private readonly prepared = new Set<sqlite3.Statement>();

  constructor(filename: string, mode?: number, callback?: Done) {
    super(filename, mode ?? sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE, callback);
    this.file = filename;
    // The last resort: an error the driver still emits is reported, not an uncaught exception; after the closing
    // began it is the expected answer of a statement that lost the race, and nothing is said.
    this.on('error', (err: Error) => {
      if (!this.closed) reportUnheard(err);
    });
    this.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
    // With WAL, NORMAL syncs at checkpoints instead of every commit: still crash-safe for the database,
    // and the per-delivery log writes stop waiting on the disk.
    this.exec('PRAGMA synchronous = NORMAL');
    // The page cache stays at SQLite's default 2 MB: 32 MB bought no sending throughput and grew the process
    // by as much as the database grew (docs/PERFORMANCE.md).
  }

  /** Whether the connection's closing began: nothing may be sent to it any more. */
  get isClosing(): boolean {
    return this.closed !== null;
  }

  // Sequelize sends its column-type look-ups, and every DDL statement, through `all` (sqlite-table-info.ts).
  override all(sql: string, ...rest: unknown[]): this {
    const args = this.withCallback(rest);
    if (!args) return this;
    noteStatement(this.file, sql);
    const last = args.at(-1) as (err: Error | null, rows: unknown[]) => void;
    const answer = tableInfoAnswer(this.file, sql, last);
    if (!answer) return this;
    return super.all(sql, ...args.slice(0, -1), answer);
  }

  override run(sql: string, ...rest: unknown[]): this {
    const args = this.withCallback(rest);
    if (!args) return this;
    noteStatement(this.file, sql);
    return super.run(sql, ...args);
  }

  override get(sql: string, ...rest: unknown[]): this {
    const args = this.withCallback(rest);
    return args ? super.get(sql, ...args) : this;
  }

  override exec(sql: string, callback?: (this: sqlite3.Statement, err: Error | null) => void): this {
    const args = this.withCallback([callback].filter(Boolean));
    if (!args) return this;
    noteStatement(this.file, sql);
    return super.exec(sql, args[0] as (this: sqlite3.Statement, err: Error | null) => void);
  }

  override prepare(sql: string, ...rest: unknown[]): sqlite3.Statement {
    const args = rest.length > 0 && typeof rest.at(-1) === 'function' ? rest : [...rest, reportUnheard];
    const statement = super.prepare(sql, ...args);
    this.prepared.add(statement);
    const finalize = statement.finalize.bind(statement);
    statement.finalize = (callback?: (err: Error) => void) =>
      finalize((err: Error) => {
        this.prepared.delete(statement);
        callback?.(err);
      });
    // Prepared while the connection closes: finalized at once (its every use answers with an error), so the
    // close does not fail with SQLITE_BUSY over an unfinalized statement.
    if (this.closed) statement.finalize();
    return statement;
  }

  /**
   * Closes once, after finalizing the statements still prepared (also those prepared meanwhile): a later close
   * (Sequelize closes a transaction's connection again) gets the first one's result.
   */
  override close(callback?: Done): void {
    this.closed ??= this.finalizeAll().then(() => new Promise((resolve) => super.close((err) => resolve(err))));
    void this.closed.then((err) => (callback ?? reportUnheard)(err));
  }

  private async finalizeAll(): Promise<void> {
    while (this.prepared.size > 0) {
      const left = [...this.prepared];
      await Promise.all(left.map((statement) => new Promise((resolve) => statement.finalize(() => resolve(null)))));
      for (const statement of left) this.prepared.delete(statement);
    }
  }

  /**
   * The arguments with a callback at the end (one that reports the error, when the caller gave none), or null
   * when the connection is closing: then the caller's callback, if any, is answered with closedHandleError.
   */
  private withCallback(rest: unknown[]): unknown[] | null {
    const last = rest.at(-1);
    const callback = typeof last === 'function' ? (last as Done) : null;
    if (this.closed) {
      if (callback) process.nextTick(() => callback.call(this, closedHandleError()));
      return null;
    }
    return callback ? rest : [...rest, reportUnheard];
  }
}
