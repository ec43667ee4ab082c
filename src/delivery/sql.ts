// Small helpers for the few statements the engine writes by hand (identical on SQLite and PostgreSQL).
import type pg from 'pg';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type sqlite3 from 'sqlite3';

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

/** Adds a value to a direct statement and returns its placeholder; `pgType` casts it on PostgreSQL. */
export type Param = (value: unknown, pgType?: string) => string;

/**
 * A date as a direct statement's parameter: SQLite gets the text Sequelize writes ("2026-03-01 09:00:00.000
 * +00:00"), so rows written either way compare and sort alike; PostgreSQL takes ISO text for a timestamptz.
 */
export function sqlTimestamp(sequelize: Sequelize, date: Date): string {
  const iso = date.toISOString();
  return isPostgres(sequelize) ? iso : `${iso.slice(0, 10)} ${iso.slice(11, 23)} +00:00`;
}

/** The statements each SQLite connection has prepared, by text: the engine's few statements are parsed once. */
const preparedStatements = new WeakMap<sqlite3.Database, Map<string, sqlite3.Statement>>();
const PREPARED_PER_CONNECTION = 64;
/** The connection's prepared statements, made the first time; closing the connection finalizes them (PatientDatabase). */
function preparedOf(database: sqlite3.Database): Map<string, sqlite3.Statement> {
  const known = preparedStatements.get(database);
  if (known) return known;
  const prepared = new Map<string, sqlite3.Statement>();
  preparedStatements.set(database, prepared);
  return prepared;
}

/** Names for the engine's statements on PostgreSQL, by text, so each connection parses and plans each once. */
const statementNames = new Map<string, string>();

function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) {
    name = `engine_${statementNames.size + 1}`;
    statementNames.set(sql, name);
  }
  return name;
}

function allRows<T>(database: sqlite3.Database, sql: string, values: unknown[]): Promise<T[]> {
  const prepared = preparedOf(database);
  let statement = prepared.get(sql);
  if (!statement) {
    if (prepared.size >= PREPARED_PER_CONNECTION) {
      for (const old of prepared.values()) old.finalize();
      prepared.clear();
    }
    statement = database.prepare(sql);
    prepared.set(sql, statement);
  }
  const ready = statement;
  return new Promise((resolve, reject) => {
    ready.all<T>(values, (error, rows) => (error ? reject(error) : resolve(rows)));
  });
}

/**
 * Runs a statement straight on the driver, with positional parameters added by `build` in the order they
 * appear in the text. For the per-delivery statements of the sending engine: Sequelize's query path (parsing
 * the SQL for replacements, escaping each value, a stack trace per query) costs more than the statement.
 */
export async function runDirect<T extends object>(sequelize: Sequelize, build: (param: Param) => string): Promise<T[]> {
  const postgres = isPostgres(sequelize);
  const values: unknown[] = [];
  const param: Param = (value, pgType) => {
    values.push(value instanceof Date ? sqlTimestamp(sequelize, value) : value);
    return postgres ? `$${values.length}${pgType ? `::${pgType}` : ''}` : '?';
  };
  const sql = build(param);
  const manager = sequelize.connectionManager;
  // The same connection Sequelize uses outside transactions (SQLite), or one from its pool (PostgreSQL).
  const connection = await manager.getConnection({ type: 'write' });
  try {
    return postgres
      ? ((await (connection as pg.Client).query({ name: statementName(sql), text: sql, values })).rows as T[])
      : await allRows<T>(connection as sqlite3.Database, sql, values);
  } finally {
    manager.releaseConnection(connection);
  }
}
