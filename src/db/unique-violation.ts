// Telling a unique-index violation from the other constraint failures a database reports.
import { UniqueConstraintError } from 'sequelize';

/**
 * True only for a real unique-index violation ("this e-mail is taken"). Sequelize's SQLite dialect reports every
 * constraint failure (NOT NULL, CHECK, a trigger's RAISE) as a UniqueConstraintError, so its class alone says
 * nothing; PostgreSQL's code 23505 and SQLite's own message do.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof UniqueConstraintError)) return false;
  const cause = error.original as (Error & { code?: unknown }) | undefined;
  return cause?.code === '23505' || /UNIQUE constraint failed/.test(cause?.message ?? '');
}
