// The public blog: the list of published posts and one post, both cached for anonymous readers (src/cache).
import type { Request, RequestHandler, Response, Router } from 'express';
import { routeTable } from '../web/route-table.js';
import type { SiteCache } from '../cache/site-cache.js';
import type { Config } from '../config.js';
import { everyone } from '../web/middleware/current-user.js';
import { renderPageOrFragment } from '../web/middleware/htmx.js';
import { pageOf } from '../web/pagination.js';
import { idParam } from '../web/params.js';
import { countPublished, countView, findPublished, listPublished } from './blog.service.js';
import { renderMarkdown } from './markdown.js';
import { postCard, readerOf } from './post-card.js';

export const BLOG_PER_PAGE = 10;

/** Registers /blog and /blog/:id. */
export function blogRoutes({ config, siteCache }: { config: Config; siteCache: SiteCache }): Router {
  const cached = siteCache.pages.middleware('blog');
  return routeTable([
    ['get', '/blog', everyone(), cached, listPage],
    ['get', '/blog/:id', everyone(), countViews(), cached, postPage(config)],
  ]);
}

async function listPage(req: Request, res: Response): Promise<void> {
  const page = pageOf(req.query.page, await countPublished(), BLOG_PER_PAGE);
  const reader = readerOf(req, res);
  const posts = (await listPublished(page)).map((post) => postCard(post, reader));
  renderPageOrFragment(
    req,
    res,
    { page: 'blog/index', fragment: 'blog/_list' },
    { title: req.t('blog.title'), posts, page },
  );
}

function postPage(config: Config): RequestHandler {
  return async (req, res) => {
    const post = await findPublished(idParam(req));
    res.render('blog/show', {
      title: post.title,
      post: postCard(post, readerOf(req, res)),
      html: renderMarkdown(post.content, config.appUrl),
    });
  };
}

// Views are counted by a middleware in front of the page cache (which never runs a cached page's handler), so
// every GET of /blog/:id counts, cached or not, without JavaScript; the stored count is exact, the shown one may
// be up to one page-cache TTL old.
/** Adds one view to the post named by `:id` (if published) before the page is served; HEAD requests do not count. */
function countViews(): RequestHandler {
  return async (req, _res, next) => {
    if (req.method === 'GET') await countView(idParam(req));
    next();
  };
}
