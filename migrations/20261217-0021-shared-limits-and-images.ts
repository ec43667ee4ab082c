// What one process kept to itself, kept in the database for every process (issue 19):
// - `rate_limits`: rate-limiter-flexible's counters (the login limits; src/limits/). The library could create the
//   table itself at the first request; it is told it exists (`tableCreated`), so nothing writes schema at runtime.
//   Its columns are the library's, in its order: on PostgreSQL it inserts without naming them.
// - `images`: blog images by the SHA-256 of their bytes; `image_redirects`: the UPLOAD_DIR path each moved file
//   had, so an old /uploads/... link is sent on to its image.
// Up copies the files in UPLOAD_DIR that posts name (their image, or /uploads/... in their text) into `images` and
// rewrites those references to /images/<sha256>.<ext>; a file that is missing or is no image is logged and its
// reference left as it was. The files stay where they were. Down writes every image posts name back under
// UPLOAD_DIR (at its old path, else posts/<sha256>.<ext>) and points the posts at the files again.
import { createHash } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DataTypes, QueryTypes, type Transaction } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';
import { CONTENT_TYPES, IMAGE_FOLDER, imageKindOfBytes } from '../src/blog/post-images.js';

type Context = MigrationContext & { transaction: Transaction };

interface PostRow {
  id: number;
  image_path: string | null;
  content: string;
}

const OLD_URL = /\/uploads\/([^\s()<>"'[\]?#]+)/g;
const NEW_URL = /\/images\/([0-9a-f]{64})\.(png|jpg|gif|webp)/g;

async function createTables({ queryInterface, transaction }: Context): Promise<void> {
  await queryInterface.createTable(
    'rate_limits',
    {
      // "<limiter>:<key>", e.g. "login-account:someone@example.com".
      key: { type: DataTypes.TEXT, primaryKey: true },
      points: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      // Milliseconds since the epoch when the count ends.
      expire: { type: DataTypes.BIGINT, allowNull: true },
    },
    { transaction },
  );
  await queryInterface.addIndex('rate_limits', ['expire'], { name: 'rate_limits_expire', transaction });
  await queryInterface.createTable(
    'images',
    {
      sha256: { type: DataTypes.STRING(64), primaryKey: true },
      content_type: { type: DataTypes.STRING(40), allowNull: false },
      byte_size: { type: DataTypes.INTEGER, allowNull: false },
      bytes: { type: DataTypes.BLOB, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
    },
    { transaction },
  );
  await queryInterface.createTable(
    'image_redirects',
    {
      old_path: { type: DataTypes.STRING(300), primaryKey: true },
      sha256: {
        type: DataTypes.STRING(64),
        allowNull: false,
        references: { model: 'images', key: 'sha256' },
        onDelete: 'CASCADE',
      },
    },
    { transaction },
  );
}

function posts({ sequelize, transaction }: Context): Promise<PostRow[]> {
  return sequelize.query<PostRow>('SELECT id, image_path, content FROM posts ORDER BY id', {
    type: QueryTypes.SELECT,
    transaction,
  });
}

function decoded(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** The file of an old path inside UPLOAD_DIR, or null for a path that would leave it. */
function fileOf(uploadDir: string, oldPath: string): string | null {
  const root = path.resolve(uploadDir);
  const file = path.resolve(root, oldPath);
  return file.startsWith(root + path.sep) ? file : null;
}

/** Reads one old file into `images` (and its path into `image_redirects`); its new URL, or why it stays. */
async function moveFile(context: Context, uploadDir: string, oldPath: string): Promise<string | { reason: string }> {
  const file = fileOf(uploadDir, oldPath);
  if (!file) return { reason: 'outside UPLOAD_DIR' };
  let bytes: Buffer;
  try {
    if (!(await stat(file)).isFile()) return { reason: 'not a file' };
    bytes = await readFile(file);
  } catch {
    return { reason: 'missing' };
  }
  const ext = imageKindOfBytes(bytes);
  if (!ext) return { reason: 'not a PNG, JPEG, GIF or WebP image' };
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { sequelize, transaction } = context;
  await sequelize.query(
    `INSERT INTO images (sha256, content_type, byte_size, bytes, created_at)
     VALUES (:sha256, :contentType, :size, :bytes, :now) ON CONFLICT (sha256) DO NOTHING`,
    {
      replacements: { sha256, contentType: CONTENT_TYPES[ext], size: bytes.length, bytes, now: new Date() },
      transaction,
    },
  );
  await sequelize.query(
    'INSERT INTO image_redirects (old_path, sha256) VALUES (:oldPath, :sha256) ON CONFLICT (old_path) DO NOTHING',
    { replacements: { oldPath, sha256 }, transaction },
  );
  return `/images/${sha256}.${ext}`;
}

/** The old paths a post names: its image (a path relative to UPLOAD_DIR) and the /uploads/ URLs in its text. */
function oldPathsOf(post: PostRow): string[] {
  const inText = [...post.content.matchAll(OLD_URL)].map((match) => decoded(match[1] ?? ''));
  const image = post.image_path && !post.image_path.startsWith('/') ? [post.image_path] : [];
  return [...new Set([...image, ...inText].filter((p): p is string => Boolean(p)))];
}

async function rewritePost(context: Context, id: number, imagePath: string | null, content: string): Promise<void> {
  await context.sequelize.query('UPDATE posts SET image_path = :imagePath, content = :content WHERE id = :id', {
    replacements: { id, imagePath, content },
    transaction: context.transaction,
  });
}

async function moveFilesIn(context: Context): Promise<void> {
  const { uploadDir, logger } = context;
  const moved = new Map<string, string | { reason: string }>();
  for (const post of await posts(context)) {
    const oldPaths = oldPathsOf(post);
    if (oldPaths.length === 0) continue;
    if (!uploadDir) {
      logger?.warn({ postId: post.id }, 'migration 0021: no UPLOAD_DIR given; the post keeps its image files');
      continue;
    }
    for (const oldPath of oldPaths) {
      if (!moved.has(oldPath)) moved.set(oldPath, await moveFile(context, uploadDir, oldPath));
      const outcome = moved.get(oldPath);
      if (typeof outcome === 'object')
        logger?.warn(
          { postId: post.id, path: oldPath, reason: outcome.reason },
          'migration 0021: image left as it was',
        );
    }
    const newUrl = (oldPath: string | null): string | undefined => {
      const outcome = oldPath === null ? undefined : moved.get(oldPath);
      return typeof outcome === 'string' ? outcome : undefined;
    };
    const content = post.content.replace(OLD_URL, (url, raw: string) => newUrl(decoded(raw)) ?? url);
    const imagePath = newUrl(post.image_path) ?? post.image_path;
    if (content !== post.content || imagePath !== post.image_path)
      await rewritePost(context, post.id, imagePath, content);
  }
  const count = [...moved.values()].filter((outcome) => typeof outcome === 'string').length;
  if (count > 0) logger?.info({ count }, 'migration 0021: image files copied into the database');
}

export async function up({ context }: { context: MigrationContext }): Promise<void> {
  await context.sequelize.transaction(async (transaction) => {
    await createTables({ ...context, transaction });
    await moveFilesIn({ ...context, transaction });
  });
}

/** Where down writes an image: the first old path it came from, else posts/<sha256>.<ext>. */
async function fileFor(context: Context, uploadDir: string, sha256: string, ext: string): Promise<string | null> {
  const { sequelize, transaction } = context;
  const [image] = await sequelize.query<{ bytes: Buffer }>('SELECT bytes FROM images WHERE sha256 = :sha256', {
    replacements: { sha256 },
    type: QueryTypes.SELECT,
    transaction,
  });
  if (!image) return null;
  const [redirect] = await sequelize.query<{ old_path: string }>(
    'SELECT old_path FROM image_redirects WHERE sha256 = :sha256 ORDER BY old_path',
    { replacements: { sha256 }, type: QueryTypes.SELECT, transaction },
  );
  const oldPath = redirect?.old_path ?? `${IMAGE_FOLDER}/${sha256}.${ext}`;
  const file = fileOf(uploadDir, oldPath);
  if (!file) return null;
  await mkdir(path.dirname(file), { recursive: true });
  // The file may still be there (up leaves the files): the same bytes are written again either way.
  await writeFile(file, Buffer.from(image.bytes));
  return oldPath;
}

async function writeFilesOut(context: Context): Promise<void> {
  const { uploadDir } = context;
  const written = new Map<string, string | null>();
  for (const post of await posts(context)) {
    const named = [...`${post.image_path ?? ''} ${post.content}`.matchAll(NEW_URL)];
    if (named.length === 0) continue;
    if (!uploadDir) throw new Error('migration 0021 down needs UPLOAD_DIR to write the posts’ images back as files');
    for (const [url, sha256 = '', ext = ''] of named) {
      if (!written.has(url)) written.set(url, await fileFor(context, uploadDir, sha256, ext));
    }
    const oldPathOf = (url: string): string | null => written.get(url) ?? null;
    const content = post.content.replace(NEW_URL, (url) => {
      const oldPath = oldPathOf(url);
      return oldPath ? `/uploads/${oldPath.split('/').map(encodeURIComponent).join('/')}` : url;
    });
    const imagePath = (post.image_path && oldPathOf(post.image_path)) ?? post.image_path;
    if (content !== post.content || imagePath !== post.image_path)
      await rewritePost(context, post.id, imagePath, content);
  }
}

export async function down({ context }: { context: MigrationContext }): Promise<void> {
  await context.sequelize.transaction(async (transaction) => {
    await writeFilesOut({ ...context, transaction });
    const { queryInterface } = context;
    await queryInterface.dropTable('image_redirects', { transaction });
    await queryInterface.dropTable('images', { transaction });
    await queryInterface.dropTable('rate_limits', { transaction });
  });
}
