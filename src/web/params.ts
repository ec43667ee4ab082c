// Route and query parameters read safely: ids that are not positive integers answer 404 like unknown ones;
// search text never carries control characters into a query.
import type { Request } from 'express';
import { NotFoundError } from '../errors.js';

/** A named path parameter as one string. */
export function routeParam(req: Request, name: string): string {
  const value: unknown = (req.params as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

/** An id given as text (a path or query parameter), or null when it is not a positive safe integer. */
export function idOf(value: unknown): number | null {
  const id = typeof value === 'string' && /^[1-9]\d{0,15}$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(id) ? id : null;
}

/** A numeric id from the path; anything else is a 404. */
export function idParam(req: Request, name = 'id'): number {
  const id = idOf(routeParam(req, name));
  if (id === null) throw new NotFoundError();
  return id;
}

/** The longest search text looked for. */
export const SEARCH_MAX = 200;

/**
 * A search box's text: trimmed, at most SEARCH_MAX characters, control characters (a NUL, line breaks) taken
 * out, since no stored text is searched for them and SQLite cannot take a NUL in a statement.
 */
export function searchParam(value: unknown): string {
  return lineParam(value, SEARCH_MAX);
}

/** The longest reason typed next to an action button (block, disable). */
export const REASON_MAX = 500;

/**
 * A one-line free text of a request that is cleaned rather than refused (a search, a reason typed next to an
 * action button): control characters become a space, then it is trimmed and cut to `max` characters.
 */
export function lineParam(value: unknown, max: number): string {
  return typeof value === 'string'
    ? value
        .replace(/\p{Cc}+/gu, ' ')
        .trim()
        .slice(0, max)
    : '';
}
