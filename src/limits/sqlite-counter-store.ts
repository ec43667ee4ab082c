// The shared counters on SQLite: the Counter interface (rate-limiter-flexible's get/penalty/delete, answering its
// RateLimiterRes) over the `rate_limits` table, through Sequelize, with the library's semantics (a key's points
// count until its window ends; the next point starts a new window). Each operation is one statement, which SQLite
// runs atomically, on Sequelize's own connection with its busy timeout. The library's RateLimiterSQLite is not used: on node-sqlite3 it wraps its upsert in a SAVEPOINT and, when the upsert fails (SQLITE_BUSY while
// another writer holds the lock past the timeout), rolls back to the savepoint without releasing it, so its
// connection stays inside a transaction that then keeps the write lock: every other writer gets SQLITE_BUSY.
import { RateLimiterRes } from 'rate-limiter-flexible';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Counter, CounterSpec } from './counter.js';

/** A key's count as the table holds it: points, and when the window ends (ms since the epoch; null: never). */
interface CountRow {
  points: number;
  expire: number | string | null;
}

export class SqliteCounterStore implements Counter {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly table: string,
    private readonly spec: CounterSpec,
  ) {}

  /** See Counter.get. */
  async get(key: string): Promise<RateLimiterRes | null> {
    const [row] = await this.rows<CountRow>(
      `SELECT points, expire FROM ${this.table} WHERE key = :key AND (expire IS NULL OR expire > :now)`,
      { key: this.keyOf(key), now: Date.now() },
    );
    return row ? this.answer(0, row) : null;
  }

  /** See Counter.penalty: adds points to the key's count, starting a new window when the last one ended. */
  async penalty(key: string, points = 1): Promise<RateLimiterRes> {
    const now = Date.now();
    const running = `${this.table}.expire IS NULL OR ${this.table}.expire > :now`;
    const [row] = await this.rows<CountRow>(
      `INSERT INTO ${this.table} (key, points, expire) VALUES (:key, :points, :expire)
       ON CONFLICT (key) DO UPDATE SET
         points = CASE WHEN ${running} THEN ${this.table}.points + excluded.points ELSE excluded.points END,
         expire = CASE WHEN ${running} THEN ${this.table}.expire ELSE excluded.expire END
       RETURNING points, expire`,
      { key: this.keyOf(key), points, expire: now + this.spec.durationSeconds * 1000, now },
    );
    if (!row) throw new Error(`no count returned for ${key}`);
    return this.answer(points, row);
  }

  /** See Counter.delete. */
  async delete(key: string): Promise<boolean> {
    const rows = await this.rows(`DELETE FROM ${this.table} WHERE key = :key RETURNING key`, {
      key: this.keyOf(key),
    });
    return rows.length > 0;
  }

  /**
   * One statement, tried once: Sequelize would try a refused (SQLITE_BUSY) one five times, each after a 5 s busy
   * wait, while the fail-safe counter has long moved on to counting in memory (src/limits/fail-safe-counter.ts).
   */
  private rows<T extends object>(sql: string, replacements: Record<string, unknown>): Promise<T[]> {
    // The comment keeps Sequelize's SQLite driver from running an INSERT … RETURNING as a row-less statement.
    return this.sequelize.query<T>(`/* rows */ ${sql}`, { replacements, type: QueryTypes.SELECT, retry: { max: 1 } });
  }

  /** The key in the table, as the library writes it: the counter's name, a colon, the key. */
  private keyOf(key: string): string {
    return `${this.spec.name}:${key}`;
  }

  /** The library's answer from a row: a count that started with this change is the change alone. */
  private answer(changedPoints: number, row: CountRow): RateLimiterRes {
    const points = Number(row.points);
    const isFirstInDuration = changedPoints === points;
    const msBeforeNext = row.expire === null ? -1 : Math.max(Number(row.expire) - Date.now(), 0);
    return new RateLimiterRes(Math.max(this.spec.points - points, 0), msBeforeNext, points, isFirstInDuration);
  }
}
