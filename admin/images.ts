// The upload glue of post images: the file the multipart parser left on disk, and the route that serves stored
// images at /uploads/<path> for everyone. Checking and storing them is the blog's rule (src/blog/post-images.ts).
import path from 'node:path';
import { Router } from 'express';
import type { Config } from '../src/config.js';
import { IMAGE_FOLDER, isStoredImageName, type ImageFile } from '../src/blog/post-images.js';
import { everyone } from '../src/web/middleware/current-user.js';
import { routeParam } from '../src/web/params.js';

export const UPLOADS_URL = '/uploads/';

/** A file as the multipart parser left it on disk (AdminJS's UploadedFile). */
export interface ReceivedFile extends ImageFile {
  name?: string | null;
  type?: string | null;
}

/** True when the value is a file the multipart parser received (not a field). */
export function isReceivedFile(value: unknown): value is ReceivedFile {
  const file = value as Partial<ReceivedFile> | null;
  return typeof file === 'object' && file !== null && typeof file.path === 'string' && typeof file.size === 'number';
}

/** The image a form field carries, or null (no file, or a file input left empty). */
export function imageOf(value: unknown): ImageFile | null {
  if (!isReceivedFile(value) || (value.size === 0 && !value.name)) return null;
  return value;
}

/** Serves the stored images at /uploads/posts/<name>; anything else under /uploads is a 404. */
export function uploadsRoutes(config: Pick<Config, 'uploadDir'>): Router {
  const router = Router();
  router.get('/uploads/:folder/:name', everyone(), (req, res, next) => {
    const folder = routeParam(req, 'folder');
    const name = routeParam(req, 'name');
    if (folder !== IMAGE_FOLDER || !isStoredImageName(name)) return next();
    res.sendFile(
      path.join(IMAGE_FOLDER, name),
      {
        root: config.uploadDir,
        dotfiles: 'deny',
        maxAge: '365d',
        immutable: true,
        headers: { 'X-Content-Type-Options': 'nosniff' },
      },
      (err?: Error & { status?: number; statusCode?: number }) => {
        if (!err) return;
        if ((err.status ?? err.statusCode) === 404) return next();
        next(err);
      },
    );
  });
  return router;
}
