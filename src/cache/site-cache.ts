// The site's caches and what clears them. Computed data (statistics, the post pool) lives in the CacheStore
// (Memcached or memory); whole anonymous pages live in apicache. Writers announce changes on siteEvents:
// "posts-changed" drops the post pool, the blog pages and the home page; "stats-changed" (model hooks, after
// commit) drops the statistics and the home page. TTLs are the backstop for writers in other processes.
import type { CacheStore } from './cache-store.js';
import { ComputedCache } from './computed-cache.js';
import { CACHE_KEYS } from './keys.js';
import { NullStore } from './null-store.js';
import { createPageCache, DEFAULT_PAGE_TTL_SECONDS, type PageCache } from './page-cache.js';
import { siteEvents } from './site-events.js';
import { watchStatsSources } from './stats-sources.js';

export interface SiteCache {
  computed: ComputedCache;
  pages: PageCache;
  /** Unsubscribes, drops the cached pages and closes the store (for tests and orderly shutdowns). */
  close(): Promise<void>;
}

// One listener per event for the whole process, fanning out to every open SiteCache: tests build many apps, and a
// listener per app would pile up on the shared emitter (and trip its max-listeners warning).
const open = new Set<SiteCache>();
let listening = false;

function eachOpen(work: (cache: SiteCache) => void): void {
  for (const cache of open) work(cache);
}

/** What a change to the posts makes stale. */
function postsChanged(cache: SiteCache): void {
  void cache.computed.forget(CACHE_KEYS.publishedPostIds);
  cache.pages.clear('blog');
  cache.pages.clear('home');
}

/** What a change to mailings or their clients makes stale. */
function statsChanged(cache: SiteCache): void {
  void cache.computed.forget(CACHE_KEYS.homeStats);
  cache.pages.clear('home');
}

function listenOnce(): void {
  if (listening) return;
  listening = true;
  watchStatsSources();
  siteEvents.on('posts-changed', () => eachOpen(postsChanged));
  siteEvents.on('stats-changed', () => eachOpen(statsChanged));
}

export interface SiteCacheOptions {
  /** false (CACHE=off): nothing is cached, every page and value is computed afresh. */
  enabled?: boolean;
  pageTtlSeconds?: number;
}

/** Builds the caches of one app over the given store and subscribes them to the site's change events. */
export function createSiteCache(store: CacheStore, options: SiteCacheOptions = {}): SiteCache {
  const enabled = options.enabled ?? true;
  const cache: SiteCache = {
    computed: new ComputedCache(enabled ? store : new NullStore()),
    pages: createPageCache({ ttlSeconds: options.pageTtlSeconds ?? DEFAULT_PAGE_TTL_SECONDS, enabled }),
    close: async () => {
      open.delete(cache);
      cache.pages.clearAll();
      await store.close();
    },
  };
  listenOnce();
  open.add(cache);
  return cache;
}
