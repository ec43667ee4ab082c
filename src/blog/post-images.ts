// Post images: checked by their first bytes (not by the name or the type the browser claims), stored under
// UPLOAD_DIR as posts/<random>.<ext>; the site serves them at /uploads/<path> (admin/images.ts).
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../errors.js';

export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
export const IMAGE_FOLDER = 'posts';

/** A file received on disk (a multipart upload), to be checked and stored as a post's image. */
export interface ImageFile {
  path: string;
  size: number;
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

const STORED_NAME = /^[a-z0-9][a-z0-9_-]*\.(png|jpg|gif|webp)$/;

/** True for a name this module could have stored (what the uploads route may serve, and removeImage delete). */
export function isStoredImageName(name: string): boolean {
  return STORED_NAME.test(name);
}

function refused(message: string): ValidationError {
  return new ValidationError({ image: message });
}

/** The file's image kind (its extension); an empty, too large or non-image file is the `image` field's error. */
export async function imageKindOf(file: ImageFile): Promise<string> {
  if (file.size === 0) throw refused('blog.images.empty');
  if (file.size > MAX_IMAGE_BYTES) throw refused('blog.images.tooLarge');
  const handle = await open(file.path, 'r');
  try {
    const head = Buffer.alloc(12);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const kind = SIGNATURES.find((signature) => signature.matches(head.subarray(0, bytesRead)));
    if (!kind) throw refused('blog.images.kind');
    return kind.ext;
  } finally {
    await handle.close();
  }
}

/** Checks the file and copies it under the upload folder; returns its path relative to that folder. */
export async function storeImage(file: ImageFile, uploadDir: string): Promise<string> {
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
  if (folder !== IMAGE_FOLDER || !name || rest.length > 0 || !isStoredImageName(name)) return;
  await rm(path.join(uploadDir, IMAGE_FOLDER, name), { force: true });
}
