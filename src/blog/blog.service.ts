// Blog rules for readers: only published posts whose publication time has come are visible; reading one counts.
import { Op, type WhereOptions } from 'sequelize';
import { Post } from '../db/models/index.js';
import { found } from '../errors.js';

/** The condition every public read uses. */
export function publishedBy(now: Date): WhereOptions<Post> {
  return { isPublished: true, publishedAt: { [Op.lte]: now } };
}

/** How many posts the blog shows (for the pager). */
export function countPublished(now = new Date()): Promise<number> {
  return Post.count({ where: publishedBy(now) });
}

/** One page of published posts, newest first. */
export function listPublished(page: { offset: number; limit: number }, now = new Date()): Promise<Post[]> {
  return Post.findAll({
    where: publishedBy(now),
    order: [
      ['publishedAt', 'DESC'],
      ['id', 'DESC'],
    ],
    offset: page.offset,
    limit: page.limit,
  });
}

/** A published post; unpublished, scheduled and unknown ids are all a 404. */
export function findPublished(id: number, now = new Date()): Promise<Post> {
  return found(Post.findOne({ where: { id, ...publishedBy(now) } }));
}

/**
 * Adds one view to a published post in one atomic UPDATE (view_count = view_count + 1), so concurrent readers
 * never lose a count; `silent` keeps updated_at for real edits.
 */
export async function countView(id: number, now = new Date()): Promise<void> {
  await Post.increment('viewCount', { by: 1, where: { id, ...publishedBy(now) }, silent: true });
}

/** Published posts by id, in the order of the ids given (some may have gone since the ids were cached). */
export async function publishedByIds(ids: number[], now = new Date()): Promise<Post[]> {
  if (ids.length === 0) return [];
  const posts = await Post.findAll({ where: { id: ids, ...publishedBy(now) } });
  const byId = new Map(posts.map((post) => [post.id, post]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
