// Static assets from our own origin: the site's CSS/JS and the vendored htmx and Bootstrap from node_modules.
// URLs carry a content hash (`?v=`), so they can be cached for a year and still change on deploy.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { PROJECT_ROOT } from '../config.js';
import { everyone } from './middleware/current-user.js';

const PUBLIC_DIR = path.join(PROJECT_ROOT, 'src/web/public');
const VENDOR: Record<string, string> = {
  'vendor/htmx.min.js': 'node_modules/htmx.org/dist/htmx.min.js',
  'vendor/bootstrap.min.css': 'node_modules/bootstrap/dist/css/bootstrap.min.css',
  'vendor/bootstrap.bundle.min.js': 'node_modules/bootstrap/dist/js/bootstrap.bundle.min.js',
};
const YEAR_SECONDS = 365 * 24 * 60 * 60;

function fileOf(name: string): string {
  return VENDOR[name] ? path.join(PROJECT_ROOT, VENDOR[name]) : path.join(PUBLIC_DIR, name);
}

const versions = new Map<string, string>();

/** The URL of an asset with its content hash, for views (`asset('app.css')`). */
export function assetUrl(name: string): string {
  let version = versions.get(name);
  if (!version) {
    version = createHash('sha256')
      .update(readFileSync(fileOf(name)))
      .digest('hex')
      .slice(0, 12);
    versions.set(name, version);
  }
  return `/assets/${name}?v=${version}`;
}

/** Serves /assets/*: versioned URLs are immutable for a year, bare ones revalidate. */
export function assetRoutes(): Router {
  const router = Router();
  const cacheHeaders = (res: express.Response): void => {
    const versioned = typeof res.req.query.v === 'string';
    res.set('Cache-Control', versioned ? `public, max-age=${YEAR_SECONDS}, immutable` : 'no-cache');
  };
  for (const [name, file] of Object.entries(VENDOR)) {
    router.get(`/assets/${name}`, everyone(), (_req, res) => {
      cacheHeaders(res);
      res.sendFile(path.join(PROJECT_ROOT, file));
    });
  }
  router.use('/assets', express.static(PUBLIC_DIR, { index: false, setHeaders: (res) => cacheHeaders(res) }));
  return router;
}
