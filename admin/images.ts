// Post images: checked by their first bytes (not by the name or the type the browser claims), stored under
// UPLOAD_DIR as posts/<random>.<ext>, and served at /uploads/<path> for everyone.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import type { Config } from '../src/config.js';
import { everyone } from '../src/web/middleware/current-user.js';
import { routeParam } from '../src/web/params.js';

export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
export const IMAGE_FOLDER = 'posts';
export const UPLOADS_URL = '/uploads/';

/** A file as the multipart parser left it on disk (AdminJS's UploadedFile). */
export interface ReceivedFile {
  path: string;
  size: number;
  name?: string | null;
  type?: string | null;
}

/** The image kinds a post may carry, each with the bytes it starts with. */
const SIGNATURES: { ext: string; matches: (head: Buffer) => boolean }[] = [
  { ext: 'png', matches: (head) => head.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex')) },
  { ext: 'jpg', matches: (head) => head.subarray(0, 3).equals(Buffer.from('ffd8ff', 'hex')) },
  { ext: 'gif', matches: (head) => ['GIF87a', 'GIF89a'].includes(head.subarray(0, 6).toString('latin1')) },
  {
    ext: 'webp',
    matches: (head) =>
      head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP',
  },
];

const SERVED_NAME = /^[a-z0-9][a-z0-9_-]*\.(png|jpg|gif|webp)$/;

/** A refused image, with a message fit for the form. */
export class ImageError extends Error {
  override name = 'ImageError';
}

/** True when the value is a file the multipart parser received (not a field). */
export function isReceivedFile(value: unknown): value is ReceivedFile {
  const file = value as Partial<ReceivedFile> | null;
  return typeof file === 'object' && file !== null && typeof file.path === 'string' && typeof file.size === 'number';
}

/** The file's image kind (its extension), or an ImageError when it is empty, too large or not an image. */
export async function imageKindOf(file: ReceivedFile): Promise<string> {
  if (file.size === 0) throw new ImageError('The image file is empty.');
  if (file.size > MAX_IMAGE_BYTES) throw new ImageError('The image is larger than 2 MB.');
  const handle = await open(file.path, 'r');
  try {
    const head = Buffer.alloc(12);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const kind = SIGNATURES.find((signature) => signature.matches(head.subarray(0, bytesRead)));
    if (!kind) throw new ImageError('Only PNG, JPEG, WebP and GIF images can be uploaded.');
    return kind.ext;
  } finally {
    await handle.close();
  }
}

/** Checks the file and copies it under the upload folder; returns its path relative to that folder. */
export async function storeImage(file: ReceivedFile, uploadDir: string): Promise<string> {
  const ext = await imageKindOf(file);
  const relative = `${IMAGE_FOLDER}/${randomBytes(12).toString('hex')}.${ext}`;
  await mkdir(path.join(uploadDir, IMAGE_FOLDER), { recursive: true });
  await copyFile(file.path, path.join(uploadDir, relative));
  return relative;
}

/** Deletes a stored image; paths outside the images folder (or already gone) are left alone. */
export async function removeImage(uploadDir: string, relative: string | null | undefined): Promise<void> {
  if (!relative) return;
  const [folder, name, ...rest] = relative.split('/');
  if (folder !== IMAGE_FOLDER || !name || rest.length > 0 || !SERVED_NAME.test(name)) return;
  await rm(path.join(uploadDir, IMAGE_FOLDER, name), { force: true });
}

/** Serves the stored images at /uploads/posts/<name>; anything else under /uploads is a 404. */
export function uploadsRoutes(config: Pick<Config, 'uploadDir'>): Router {
  const router = Router();
  router.get('/uploads/:folder/:name', everyone(), (req, res, next) => {
    const folder = routeParam(req, 'folder');
    const name = routeParam(req, 'name');
    if (folder !== IMAGE_FOLDER || !SERVED_NAME.test(name)) return next();
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
