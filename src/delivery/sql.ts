// Small helpers for the few statements the engine writes by hand (identical on SQLite and PostgreSQL).
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/** Runs a statement that returns rows (SELECT, or INSERT/UPDATE … RETURNING) with named replacements. */
export async function selectRows<T extends object>(
  sequelize: Sequelize,
  sql: string,
  replacements: Record<string, unknown>,
  transaction?: Transaction,
): Promise<T[]> {
  // The leading comment matters: Sequelize's SQLite driver runs anything starting with "INSERT INTO" as a
  // row-less statement, which would drop the rows of INSERT … RETURNING.
  return sequelize.query<T>(`/* rows */ ${sql}`, { replacements, type: QueryTypes.SELECT, transaction });
}

/** Runs a statement for its effect. */
export async function execute(
  sequelize: Sequelize,
  sql: string,
  replacements: Record<string, unknown>,
  transaction?: Transaction,
): Promise<void> {
  await sequelize.query(sql, { replacements, transaction });
}

/** Dates come back from raw SQLite queries as text; this makes them Dates on both databases. */
export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') return new Date(value);
  throw new TypeError(`not a date: ${typeof value}`);
}

/** True on PostgreSQL, where row locks (FOR UPDATE SKIP LOCKED) are available. */
export function isPostgres(sequelize: Sequelize): boolean {
  return sequelize.getDialect() === 'postgres';
}
