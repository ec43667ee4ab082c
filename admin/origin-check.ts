// The back office's proof of origin: AdminJS has no CSRF token of its own, so every request that changes state
// must say, through the browser's own headers, that it comes from our pages. A page elsewhere (another site,
// or another port of this host) cannot set them: its Origin is its own.
import type { Request, RequestHandler } from 'express';
import { answerInBackOffice } from './answers.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin of a URL, or null when it is not one. */
function originOf(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const { origin } = new URL(url);
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * True when the browser says the request comes from one of our origins: its Origin header, else the fetch
 * metadata (`Sec-Fetch-Site: same-origin`), else its Referer. A request that says nothing is refused.
 */
export function comesFromOurPages(req: Request, ours: ReadonlySet<string>): boolean {
  const origin = req.get('Origin');
  if (origin !== undefined) return ours.has(originOf(origin) ?? '');
  const site = req.get('Sec-Fetch-Site');
  if (site !== undefined) return site === 'same-origin';
  return ours.has(originOf(req.get('Referer')) ?? '');
}

/**
 * Refuses (403) a state-changing request to the back office that does not come from our own pages: every
 * non-GET (signing out included: it is a POST). Ours are the site's public address (APP_URL) and the address the request
 * was sent to.
 */
export function requireSameOrigin(appUrl: string): RequestHandler {
  const published = originOf(appUrl);
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const ours = new Set([published, originOf(`${req.protocol}://${req.get('host') ?? ''}`)]);
    ours.delete(null);
    if (comesFromOurPages(req, ours as Set<string>)) return next();
    answerInBackOffice(req, res, 403, 'foreignOrigin');
  };
}
