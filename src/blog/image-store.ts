// Blog images in the database (table `images`, migration 0021): stored once per content (the SHA-256 is the key),
// read back by hash, deleted once no post names them; and the old UPLOAD_DIR paths the migration moved
// (`image_redirects`), so old /uploads/... links find their image.
import type { Transaction } from 'sequelize';
import { boundDatabase, Image } from '../db/models/index.js';
import { selectRows, execute } from '../delivery/sql.js';
import { CONTENT_TYPES, imagePathOf, parseImagePath, type CheckedImage, type ImageExt } from './post-images.js';

/** A stored image as the site serves it. */
export interface StoredImage {
  sha256: string;
  ext: ImageExt;
  contentType: string;
  bytes: Buffer;
}

const EXT_OF_TYPE = new Map(Object.entries(CONTENT_TYPES).map(([ext, type]) => [type, ext as ImageExt]));

/** Stores a checked image (the same bytes twice are one row) and returns the path posts name it by. */
export async function saveImage(image: CheckedImage, transaction?: Transaction): Promise<string> {
  await Image.bulkCreate(
    [{ sha256: image.sha256, contentType: CONTENT_TYPES[image.ext], byteSize: image.bytes.length, bytes: image.bytes }],
    { ignoreDuplicates: true, transaction },
  );
  return imagePathOf(image);
}

/** The stored image of a hash, or null. */
export async function findImage(sha256: string): Promise<StoredImage | null> {
  const row = await Image.findByPk(sha256, { attributes: ['sha256', 'contentType', 'bytes'] });
  const ext = row ? EXT_OF_TYPE.get(row.contentType) : undefined;
  return row && ext ? { sha256: row.sha256, ext, contentType: row.contentType, bytes: row.bytes } : null;
}

/**
 * Deletes the image a post no longer names, unless another post still shows it (as its image or in its text).
 * Paths that name no stored image (an old UPLOAD_DIR path whose file was never found) are left alone.
 */
export async function dropImageIfUnused(imagePath: string | null, transaction?: Transaction): Promise<void> {
  const image = parseImagePath(imagePath);
  if (!image) return;
  const path = imagePathOf(image);
  await execute(
    boundDatabase(),
    `DELETE FROM images WHERE sha256 = :sha256
       AND NOT EXISTS (SELECT 1 FROM posts WHERE image_path = :path OR content LIKE :inText)`,
    { sha256: image.sha256, path, inText: `%${path}%` },
    transaction,
  );
}

/** Where an old /uploads/<path> now is (`/images/<sha256>.<ext>`), or null when no image came from there. */
export async function movedImagePath(oldPath: string): Promise<string | null> {
  const rows = await selectRows<{ sha256: string; content_type: string }>(
    boundDatabase(),
    `SELECT images.sha256, images.content_type FROM image_redirects
       JOIN images ON images.sha256 = image_redirects.sha256 WHERE image_redirects.old_path = :oldPath`,
    { oldPath },
  );
  const row = rows[0];
  const ext = row ? EXT_OF_TYPE.get(row.content_type) : undefined;
  return row && ext ? imagePathOf({ sha256: row.sha256, ext }) : null;
}
