// The home page: what the service does, its numbers, three posts from the blog; a sign-up call to action for
// visitors, links to their screens for users. Anonymous visitors get it from the page cache (src/cache).
import type { RequestHandler, Router } from 'express';
import { routeTable } from '../web/route-table.js';
import type { Sequelize } from 'sequelize';
import { postCard, readerOf } from '../blog/post-card.js';
import { randomPublishedPosts } from '../blog/post-pool.js';
import { homeStats } from './home-stats.js';
import type { SiteCache } from '../cache/site-cache.js';
import { everyone } from '../web/middleware/current-user.js';

export const HOME_POST_COUNT = 3;

/** Registers `/`. */
export function homeRoutes(deps: { sequelize: Sequelize; siteCache: SiteCache }): Router {
  return routeTable([['get', '/', everyone(), deps.siteCache.pages.middleware('home'), homePage(deps)]]);
}

function homePage({ sequelize, siteCache }: { sequelize: Sequelize; siteCache: SiteCache }): RequestHandler {
  return async (req, res) => {
    const [stats, posts] = await Promise.all([
      homeStats(siteCache.computed, sequelize),
      randomPublishedPosts(siteCache.computed, HOME_POST_COUNT),
    ]);
    const reader = readerOf(req, res);
    // No page title of its own: the tab shows the service's name alone ("Mailer", not "Mailer · Mailer").
    res.render('home/index', {
      stats,
      posts: posts.map((post) => postCard(post, reader)),
    });
  };
}
