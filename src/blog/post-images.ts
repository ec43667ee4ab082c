// Post images: checked by their first bytes (not by the name or the type the browser claims) and at most 2 MB, then
// kept in the database by their SHA-256 (image-store.ts), so every web process serves the same ones at
// /images/<sha256>.<ext> (images.routes.ts). Before migration 0021 they were files under UPLOAD_DIR/posts/.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ValidationError } from '../errors.js';

export const MAX_IMAGE_BYTES = 2 * 1024 * 1024;
/** The folder of UPLOAD_DIR that held post images before migration 0021 (its down writes them back there). */
export const IMAGE_FOLDER = 'posts';
/** Where stored images are served. */
export const IMAGES_URL = '/images/';

/** The image kinds a post may carry, by the extension of their URL. */
export type ImageExt = 'png' | 'jpg' | 'gif' | 'webp';

/** Each kind's Content-Type. */
export const CONTENT_TYPES: Readonly<Record<ImageExt, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

/** A file received on disk (a multipart upload), to be checked and stored as a post's image. */
export interface ImageFile {
  path: string;
  size: number;
}

/** An image that passed the checks: its bytes, its kind and their hash (its name). */
export interface CheckedImage {
  bytes: Buffer;
  ext: ImageExt;
  sha256: string;
}

/** The bytes each kind starts with. */
const SIGNATURES: { ext: ImageExt; matches: (head: Buffer) => boolean }[] = [
  { ext: 'png', matches: (head) => head.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex')) },
  { ext: 'jpg', matches: (head) => head.subarray(0, 3).equals(Buffer.from('ffd8ff', 'hex')) },
  { ext: 'gif', matches: (head) => ['GIF87a', 'GIF89a'].includes(head.subarray(0, 6).toString('latin1')) },
  {
    ext: 'webp',
    matches: (head) =>
      head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP',
  },
];

const STORED_NAME = /^([0-9a-f]{64})\.(png|jpg|gif|webp)$/;

function refused(message: string): ValidationError {
  return new ValidationError({ image: message });
}

/** The image kind the bytes start with, or null when they are none of ours. */
export function imageKindOfBytes(bytes: Buffer): ImageExt | null {
  return SIGNATURES.find((signature) => signature.matches(bytes.subarray(0, 12)))?.ext ?? null;
}

/** Checks bytes as a post image; an empty, too large or non-image one is the `image` field's error. */
export function checkImageBytes(bytes: Buffer): CheckedImage {
  if (bytes.length === 0) throw refused('blog.images.empty');
  if (bytes.length > MAX_IMAGE_BYTES) throw refused('blog.images.tooLarge');
  const ext = imageKindOfBytes(bytes);
  if (!ext) throw refused('blog.images.kind');
  return { bytes, ext, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Reads an uploaded file and checks it (the size the parser reported is checked before anything is read). */
export async function readImage(file: ImageFile): Promise<CheckedImage> {
  if (file.size === 0) throw refused('blog.images.empty');
  if (file.size > MAX_IMAGE_BYTES) throw refused('blog.images.tooLarge');
  return checkImageBytes(await readFile(file.path));
}

/** The public path of a stored image: its hash names it, so the URL never needs to change or expire. */
export function imagePathOf(image: Pick<CheckedImage, 'sha256' | 'ext'>): string {
  return `${IMAGES_URL}${image.sha256}.${image.ext}`;
}

/** The hash and kind a stored image's file name (`<sha256>.<ext>`) says, or null for any other name. */
export function parseImageName(name: string): { sha256: string; ext: ImageExt } | null {
  const match = STORED_NAME.exec(name);
  return match ? { sha256: match[1] as string, ext: match[2] as ImageExt } : null;
}

/** The hash and kind of a post's image path when it names a stored image (`/images/<sha256>.<ext>`). */
export function parseImagePath(imagePath: string | null | undefined): { sha256: string; ext: ImageExt } | null {
  return imagePath?.startsWith(IMAGES_URL) ? parseImageName(imagePath.slice(IMAGES_URL.length)) : null;
}
