// The few SQL spellings where SQLite and PostgreSQL differ, for bench:scale's set-based data building: a numbered
// row source (generate_series or a recursive CTE), a timestamp some seconds after a base instant, and true.
import type { Sequelize } from 'sequelize';

/** The dialect's words for what the data builder writes in one INSERT … SELECT. */
export interface BuildSql {
  postgres: boolean;
  /** `WITH …` naming `g(i)`: the numbers 1 to n (n a whole number, written in). */
  numbers(n: number): string;
  /** The instant `seconds` (an SQL expression) after the `:name` replacement, as the column stores it. */
  after(name: string, seconds: string): string;
  /** The text of an integer expression. */
  text(expression: string): string;
  true: string;
}

/** The data builder's SQL for the database's dialect. */
export function buildSql(sequelize: Sequelize): BuildSql {
  const postgres = sequelize.getDialect() === 'postgres';
  const whole = (n: number): number => {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`not a row count: ${n}`);
    return n;
  };
  return postgres
    ? {
        postgres,
        numbers: (n) => `WITH g(i) AS (SELECT generate_series(1, ${whole(n)}))`,
        after: (name, seconds) => `(CAST(:${name} AS timestamptz) + (${seconds}) * interval '1 second')`,
        text: (expression) => `CAST(${expression} AS text)`,
        true: 'true',
      }
    : {
        postgres,
        numbers: (n) => `WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < ${whole(n)})`,
        // Sequelize's SQLite text for a date: 'yyyy-MM-dd HH:mm:ss.SSS +00:00'.
        after: (name, seconds) => `(strftime('%Y-%m-%d %H:%M:%f', :${name}, (${seconds}) || ' seconds') || ' +00:00')`,
        text: (expression) => `CAST(${expression} AS TEXT)`,
        true: '1',
      };
}
