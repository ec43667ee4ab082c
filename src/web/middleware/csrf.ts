// CSRF protection for every state-changing request: a synchroniser token kept in the session, sent back by
// plain forms as `_csrf` and by htmx as the `X-CSRF-Token` header (set once on <body> with hx-headers).
import { csrfSync } from 'csrf-sync';
import type { RequestHandler } from 'express';

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req) => {
    const body: unknown = req.body;
    const fromForm =
      body && typeof body === 'object' && '_csrf' in body && typeof body._csrf === 'string' ? body._csrf : undefined;
    return fromForm ?? req.get('X-CSRF-Token');
  },
  errorConfig: { statusCode: 403, message: 'Invalid or missing CSRF token', code: 'EBADCSRFTOKEN' },
});

/** Rejects non-GET requests without the session's token. */
export function requireCsrfToken(): RequestHandler {
  return csrfSynchronisedProtection;
}

/** Gives views a lazily created token, so pages without forms never start a session just for it. */
export function exposeCsrfToken(): RequestHandler {
  return (req, res, next) => {
    let token: string | undefined;
    res.locals.csrfToken = (): string => (token ??= generateToken(req));
    next();
  };
}
