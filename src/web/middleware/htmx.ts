// htmx awareness: whether to answer with a fragment, and how to end an action for htmx and plain forms alike.
import type { Request, RequestHandler, Response } from 'express';

/** True when htmx asked for a piece of a page (not a boosted navigation or a history restore). */
export function wantsFragment(req: Request): boolean {
  return (
    req.get('HX-Request') === 'true' &&
    req.get('HX-Boosted') !== 'true' &&
    req.get('HX-History-Restore-Request') !== 'true'
  );
}

/** Every page may differ for htmx, so caches must key on the header. */
export function varyOnHtmx(): RequestHandler {
  return (_req, res, next) => {
    res.vary('HX-Request');
    next();
  };
}

/** Renders the fragment for htmx and the full page otherwise; the page template includes the fragment. */
export function renderPageOrFragment(
  req: Request,
  res: Response,
  views: { page: string; fragment: string },
  locals: Record<string, unknown>,
): void {
  res.render(wantsFragment(req) ? views.fragment : views.page, locals);
}
