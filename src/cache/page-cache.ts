// Whole public pages (the blog, the anonymous home page) kept for a short time by apicache, in this process.
// Who gets cached pages: only visitors without a signed-in user and without a pending flash notice; a page is
// stored only when it is a 200 that sets no cookie (a response that starts or refreshes a session is personal).
// The key is the URL plus the language and the htmx headers, because the same URL answers a full page, a boosted
// page or a fragment, in English or Russian; URLs with made-up query strings are not cached, so they cannot fill
// memory. Browsers are told to revalidate. Other processes cannot clear these entries, hence the short TTL.
import type { Request, RequestHandler, Response } from 'express';
import apicache from 'apicache';
import onHeaders from 'on-headers';

export type PageGroup = 'blog' | 'home';

export interface PageCache {
  /** Middleware for one route: answers eligible visitors from the cache, or stores the page they get. */
  middleware(group: PageGroup): RequestHandler;
  /** Drops every cached page of the group. */
  clear(group: PageGroup): void;
  /** Drops every cached page (and its expiry timer). */
  clearAll(): void;
}

/** The part of an apicache instance used here (its published typings are mostly `any`). */
interface ApiCacheInstance {
  middleware(duration: number, toggle: (req: Request, res: Response) => boolean): RequestHandler;
  clear(target?: string): unknown;
  getIndex(): { all: string[] };
}

declare module 'express-serve-static-core' {
  interface Request {
    /** apicache files the stored page under this group, which clear(group) drops. */
    apicacheGroup?: string;
  }
}

export const DEFAULT_PAGE_TTL_SECONDS = 60;

/**
 * The varying parts of the key besides the URL. Header values are reduced to yes/no, so made-up values cannot
 * multiply the entries (the language is already one of the site's few).
 */
function keySuffix(req: Request): string {
  const flags = ['HX-Request', 'HX-Boosted', 'HX-History-Restore-Request'].map((name) =>
    req.get(name) === 'true' ? '1' : '0',
  );
  return [req.language, ...flags].join('|');
}

// The key holds the whole URL, so made-up query strings would each get an entry: only URLs without a query, or
// with a small page number, are cached (the rest are answered fresh).
const CACHEABLE_QUERY = /^(page=[1-9]\d{0,2})?$/;

/** True when the page this request gets does not depend on who asks, and its URL is one worth keeping. */
function isCacheableRead(req: Request): boolean {
  const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
  return (
    (req.method === 'GET' || req.method === 'HEAD') &&
    !req.user &&
    !req.session?.flash?.length &&
    CACHEABLE_QUERY.test(query)
  );
}

function isShareable(res: Response): boolean {
  return res.statusCode === 200 && !res.getHeader('set-cookie');
}

type End = (...args: unknown[]) => unknown;

/** Replaces res.end with `wrapper`, which receives the previous end (bound to res) and the call's arguments. */
function aroundEnd(res: Response, wrapper: (end: End, args: unknown[]) => unknown): void {
  const end = res.end.bind(res) as End;
  res.end = ((...args: unknown[]) => wrapper(end, args)) as Response['end'];
}

/**
 * apicache arms a plain setTimeout for every stored page (to expire it) and never unrefs it, so one cached page
 * would keep a finishing process (a test run, a CLI command) alive for the whole TTL. It stores pages
 * synchronously inside res.end, so timers created during that call are unref'd; they still fire on time.
 */
function unrefTimersCreatedByEnd(res: Response): void {
  aroundEnd(res, (end, args) => {
    const original = globalThis.setTimeout;
    globalThis.setTimeout = ((...timer: Parameters<typeof setTimeout>) =>
      original(...timer).unref()) as unknown as typeof setTimeout;
    try {
      return end(...args);
    } finally {
      globalThis.setTimeout = original;
    }
  });
}

/**
 * apicache decides whether to store a page at the start of res.end, but express-session adds its cookie only
 * when the headers are written, later inside that call; writing the headers first lets the decision see it.
 */
function writeHeadersBeforeEnd(res: Response): void {
  aroundEnd(res, (end, args) => {
    if (!res.headersSent) res.writeHead(res.statusCode);
    return end(...args);
  });
}

/** A page cache that caches nothing (CACHE=off). */
const PASS_THROUGH: PageCache = {
  middleware: () => (_req, _res, next) => next(),
  clear: () => undefined,
  clearAll: () => undefined,
};

/** A page cache of its own (one per app, so tests do not share entries). */
export function createPageCache({
  ttlSeconds = DEFAULT_PAGE_TTL_SECONDS,
  enabled = true,
}: { ttlSeconds?: number; enabled?: boolean } = {}): PageCache {
  if (!enabled) return PASS_THROUGH;
  const instance = apicache.newInstance({
    appendKey: (req: Request) => keySuffix(req),
    statusCodes: { include: [200] },
    headerBlacklist: ['set-cookie'],
    // apicache would otherwise tell browsers max-age=TTL; see below.
    headers: { 'cache-control': 'no-cache' },
  }) as unknown as ApiCacheInstance;
  const cached = instance.middleware(ttlSeconds * 1000, (_req, res) => isShareable(res));

  return {
    middleware(group) {
      return (req, res, next) => {
        if (!isCacheableRead(req)) return next();
        req.apicacheGroup = group;
        // Browsers revalidate every time: a signed-in visitor must not see their browser's anonymous copy, and
        // every view must reach the server to be counted. (apicache writes max-age on hits; this wins.)
        onHeaders(res, function (this: Response) {
          this.setHeader('Cache-Control', 'no-cache');
        });
        cached(req, res, (error?: unknown) => {
          if (error) return next(error);
          unrefTimersCreatedByEnd(res);
          writeHeadersBeforeEnd(res);
          next();
        });
      };
    },
    clear(group) {
      instance.clear(group);
    },
    clearAll() {
      // apicache's clear() without a target leaves its expiry timers running; clearing key by key stops them.
      for (const key of [...instance.getIndex().all]) instance.clear(key);
    },
  };
}
