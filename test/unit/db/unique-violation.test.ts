import { expect } from 'chai';
import { UniqueConstraintError } from 'sequelize';
import { isUniqueViolation } from '../../../src/db/unique-violation.js';

/** An error as Sequelize reports a failed constraint, with the driver's own error inside. */
function reported(original: Error & { code?: string }): UniqueConstraintError {
  return new UniqueConstraintError({ parent: original, original, message: 'Validation error' } as never);
}

describe('telling a unique-index violation from other constraint failures', () => {
  it('when the database says a unique index was violated, then it is one', () => {
    const postgres = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    const sqlite = Object.assign(new Error('SQLITE_CONSTRAINT: UNIQUE constraint failed: users.email'), {
      code: 'SQLITE_CONSTRAINT',
    });
    expect([isUniqueViolation(reported(postgres)), isUniqueViolation(reported(sqlite))]).to.deep.equal([true, true]);
  });

  it('when SQLite reports another constraint under the same class, or the error is something else, then it is not', () => {
    const notNull = Object.assign(new Error('SQLITE_CONSTRAINT: NOT NULL constraint failed: users.time_zone'), {
      code: 'SQLITE_CONSTRAINT',
    });
    expect(isUniqueViolation(reported(notNull))).to.equal(false);
    expect(isUniqueViolation(new Error('UNIQUE constraint failed'))).to.equal(false);
  });
});
