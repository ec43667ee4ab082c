// Route and query parameters read safely: ids that are not positive integers answer 404 like unknown ones;
// search text never carries control characters into a query.
import type { Request } from 'express';
import { NotFoundError } from '../errors.js';

/** A named path parameter as one string. */
export function routeParam(req: Request, name: string): string {
  const value: unknown = (req.params as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

/** A numeric id from the path; anything else is a 404. */
export function idParam(req: Request, name = 'id'): number {
  const value = routeParam(req, name);
  const id = /^[1-9]\d{0,15}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(id)) throw new NotFoundError();
  return id;
}

/** The longest search text looked for. */
export const SEARCH_MAX = 200;

/**
 * A search box's text: trimmed, at most SEARCH_MAX characters, control characters (a NUL, line breaks) taken
 * out, since no stored text is searched for them and SQLite cannot take a NUL in a statement.
 */
export function searchParam(value: unknown): string {
  return typeof value === 'string'
    ? value
        .replace(/\p{Cc}+/gu, ' ')
        .trim()
        .slice(0, SEARCH_MAX)
    : '';
}
