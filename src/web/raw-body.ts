// A request body read as it came, for the routes that verify a signature over it or parse it themselves (the
// provider webhooks: SNS posts JSON as text/plain). A body that cannot be read (too large, a bad encoding) is
// answered here with its 4xx, never passed on as an error page.
import express, { type RequestHandler } from 'express';

/** Puts the body on `req.body` as a Buffer (any content type), up to `limit`. */
export function rawBody(limit: string): RequestHandler {
  const parse = express.raw({ type: () => true, limit });
  return (req, res, next) =>
    parse(req, res, (err?: unknown) => {
      if (!err) return next();
      const status = (err as { status?: unknown }).status;
      res
        .status(typeof status === 'number' && status >= 400 && status < 500 ? status : 400)
        .type('text/plain')
        .send('unreadable body');
    });
}

/** The raw body as text (empty when there was none). */
export function bodyText(body: unknown): string {
  return Buffer.isBuffer(body) ? body.toString('utf8') : '';
}
