// The first middleware: every request gets an id (an incoming X-Request-Id if it looks like one, so a proxy's id
// carries through; else a new UUID), echoed in the response; a child logger that carries it; one log line and one
// latency observation, by route pattern, when the response is finished.
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from '../../logger.js';
import { observeHttpRequest } from '../../metrics/metrics.js';

/** What an incoming request id may be: what proxies and tracers send (UUIDs, hex, base64url), nothing more. */
const REQUEST_ID = /^[A-Za-z0-9._:+/=-]{1,128}$/;

/** The mounts whose requests no route table answers, by the prefix they are labelled with. */
const MOUNTS = ['/admin', '/assets', '/uploads'];

/** The request's own id: the one it came with when that is valid, else a new one. */
export function requestIdOf(header: string | undefined): string {
  return header !== undefined && REQUEST_ID.test(header) ? header : randomUUID();
}

/** The route pattern a request matched (`/mailings/:id`), never its raw URL, so the label's values stay few. */
function routeLabel(req: Request): string {
  const pattern: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === 'string') return pattern;
  const mount = MOUNTS.find((prefix) => req.originalUrl === prefix || req.originalUrl.startsWith(`${prefix}/`));
  return mount ? `${mount}/*` : 'unmatched';
}

/** The logger of this request (with its id), or the process's when the request has none. */
export function requestLogger(res: Response, fallback: Logger): Logger {
  const log: unknown = res.locals.log;
  return log ? (log as Logger) : fallback;
}

/** Gives the request its id and child logger, and measures and logs it once it is answered. */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const startedAt = performance.now();
    const reqId = requestIdOf(req.get('x-request-id'));
    const log = logger.child({ reqId });
    res.locals.log = log;
    res.set('X-Request-Id', reqId);
    res.once('finish', () => {
      const seconds = (performance.now() - startedAt) / 1000;
      const route = routeLabel(req);
      observeHttpRequest(req.method, route, res.statusCode, seconds);
      log.info(
        {
          method: req.method,
          url: req.originalUrl,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          ip: req.ip,
        },
        'request',
      );
    });
    next();
  };
}
