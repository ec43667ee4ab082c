// Assertion helpers the suite shares.
import { expect } from 'chai';
import { DatabaseError, ForeignKeyConstraintError, UniqueConstraintError, ValidationError } from 'sequelize';
import { isUniqueViolation } from '../../src/db/unique-violation.js';
import { USING_POSTGRES } from './database.js';

/** Awaits a promise that must fail and returns its error; fails the test if it succeeds. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to be rejected, but it resolved');
}

/** What the driver reported under Sequelize's error (pg's fields; sqlite3's code and message). */
interface DriverError extends Error {
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

/** The driver's error that Sequelize wraps (a DatabaseError, or a UniqueConstraintError, a ValidationError). */
function driverErrorOf(error: unknown): DriverError {
  const original = (error as { original?: DriverError } | undefined)?.original;
  expect(original, 'the driver error under the Sequelize error').to.be.instanceOf(Error);
  return original as DriverError;
}

/**
 * The model refused the write before it reached the database: a ValidationError whose failures are exactly
 * these, as `path:validatorKey` (a field and its rule, or a model validator's name twice).
 */
export function expectValidationError(error: unknown, ...failures: string[]): void {
  expect(error).to.be.instanceOf(ValidationError);
  expect(error).not.to.be.instanceOf(UniqueConstraintError); // a database constraint is reported as a subclass
  const found = (error as ValidationError).errors.map((item) => `${item.path ?? ''}:${item.validatorKey ?? ''}`);
  expect(found).to.deep.equal(failures);
}

/**
 * The database refused the write for this unique index, on either dialect: PostgreSQL names the index, SQLite
 * names an index over expressions and otherwise lists its columns as `table.column`.
 */
export function expectUniqueViolation(
  error: unknown,
  index: { name: string; table: string; columns: readonly string[] },
): void {
  expect(error).to.be.instanceOf(UniqueConstraintError);
  expect(isUniqueViolation(error), 'a real unique-index violation').to.equal(true);
  const original = driverErrorOf(error);
  if (USING_POSTGRES) {
    expect([original.code, original.table, original.constraint]).to.deep.equal(['23505', index.table, index.name]);
  } else {
    const plainColumns = index.columns.every((column) => /^\w+$/.test(column));
    const named = plainColumns
      ? index.columns.map((column) => `${index.table}.${column}`).join(', ')
      : `index '${index.name}'`;
    expect(original.message).to.equal(`SQLITE_CONSTRAINT: UNIQUE constraint failed: ${named}`);
  }
}

/**
 * The database refused to remove a row still referenced through this foreign key. PostgreSQL names the key and
 * the referencing table; SQLite says only that a foreign key failed.
 */
export function expectForeignKeyViolation(error: unknown, key: { name: string; referencingTable: string }): void {
  expect(error).to.be.instanceOf(ForeignKeyConstraintError);
  const original = driverErrorOf(error);
  if (USING_POSTGRES) {
    expect([original.code, original.table, original.constraint]).to.deep.equal([
      '23503',
      key.referencingTable,
      key.name,
    ]);
  } else {
    expect(original.message).to.equal('SQLITE_CONSTRAINT: FOREIGN KEY constraint failed');
  }
}

/**
 * The database refused a row without a value in this NOT NULL column. PostgreSQL's 23502 comes as a plain
 * DatabaseError; Sequelize's SQLite dialect files it under UniqueConstraintError, which is why it must not pass
 * for a unique violation.
 */
export function expectNotNullViolation(error: unknown, table: string, column: string): void {
  const original = driverErrorOf(error);
  expect(isUniqueViolation(error), 'not a unique-index violation').to.equal(false);
  if (USING_POSTGRES) {
    expect(error).to.be.instanceOf(DatabaseError);
    expect([original.code, original.table, original.column]).to.deep.equal(['23502', table, column]);
  } else {
    expect(error).to.be.instanceOf(UniqueConstraintError);
    expect(original.message).to.equal(`SQLITE_CONSTRAINT: NOT NULL constraint failed: ${table}.${column}`);
  }
}
