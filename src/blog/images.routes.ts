// Blog images for everyone, from the database: /images/<sha256>.<ext>, cached for a year (the hash names the
// bytes, so a URL never changes meaning), with the hash as ETag; and the URLs of before migration 0021,
// /uploads/<path>, sent on (301) to the image that came from there, else a 404.
import type { NextFunction, Request, Response, Router } from 'express';
import { routeTable } from '../web/route-table.js';
import { everyone } from '../web/middleware/current-user.js';
import { routeParam } from '../web/params.js';
import { findImage, movedImagePath } from './image-store.js';
import { parseImageName } from './post-images.js';

const IMAGE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** Registers /images/:name and the old /uploads/* addresses. */
export function imageRoutes(): Router {
  return routeTable([
    ['get', '/images/:name', everyone(), serveImage],
    ['get', '/uploads/*path', everyone(), redirectOldUpload],
  ]);
}

async function serveImage(req: Request, res: Response, next: NextFunction): Promise<void> {
  const name = parseImageName(routeParam(req, 'name'));
  const image = name ? await findImage(name.sha256) : null;
  if (!image || image.ext !== name?.ext) return next();
  res.set({
    'Content-Type': image.contentType,
    'Cache-Control': IMAGE_CACHE_CONTROL,
    ETag: `"${image.sha256}"`,
    'X-Content-Type-Options': 'nosniff',
  });
  // Express answers 304 itself when If-None-Match names this ETag.
  res.send(image.bytes);
}

async function redirectOldUpload(req: Request, res: Response, next: NextFunction): Promise<void> {
  // Express has split the path into decoded segments: the old path as UPLOAD_DIR stored it.
  const segments: unknown = (req.params as Record<string, unknown>).path;
  const oldPath = Array.isArray(segments) ? segments.join('/') : '';
  const target = oldPath ? await movedImagePath(oldPath) : null;
  if (!target) return next();
  res.redirect(301, target);
}
