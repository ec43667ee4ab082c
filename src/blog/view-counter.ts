// Counting views of a post. The post page may be answered from the page cache, which never runs the route's
// handler, so the count is a middleware placed in front of the cache: every GET of /blog/:id reaches it, cached
// or not, and it works without JavaScript (no beacon or fragment to load). The page a reader gets may show a
// count up to one page-cache TTL old; the stored count is exact.
import type { RequestHandler } from 'express';
import { idParam } from '../web/params.js';
import { countView } from './blog.service.js';

/** Adds one view to the post named by `:id` (if published) before the page is served; HEAD requests do not count. */
export function countViews(): RequestHandler {
  return async (req, _res, next) => {
    if (req.method === 'GET') await countView(idParam(req));
    next();
  };
}
