// The upload glue of post images: the file the multipart parser left on disk. Checking and storing it is the
// blog's rule (src/blog/post-images.ts, posts.service.ts); serving it, src/blog/images.routes.ts.
import type { ImageFile } from '../src/blog/post-images.js';

/** Where an image path of before migration 0021 (relative to UPLOAD_DIR) is asked for; it redirects or is a 404. */
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
