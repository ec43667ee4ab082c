// The pool the home page draws its random posts from: the ids of published posts, kept in the cache store until
// a post changes ("posts-changed") or the next scheduled post comes due, so a scheduled post appears on time.
import { Op } from 'sequelize';
import { z } from 'zod';
import type { ComputedCache } from '../cache/computed-cache.js';
import { CACHE_KEYS } from '../cache/keys.js';
import { Post } from '../db/models/index.js';
import { publishedBy, publishedByIds } from './blog.service.js';

/** The pool holds the newest posts only, so its value stays far below Memcached's 1 MB item limit. */
export const POOL_LIMIT = 1_000;
export const POOL_MAX_TTL_SECONDS = 300;

const poolSchema = z.object({
  ids: z.array(z.number().int().positive()),
  /** When the next scheduled post goes live (ms since the epoch), if one is waiting. */
  nextPublicationAt: z.number().nullable(),
});
export type PostPool = z.infer<typeof poolSchema>;

/** Reads the pool from the database. */
export async function computePostPool(now = new Date()): Promise<PostPool> {
  const [rows, next] = await Promise.all([
    Post.findAll({
      attributes: ['id'],
      where: publishedBy(now),
      order: [
        ['publishedAt', 'DESC'],
        ['id', 'DESC'],
      ],
      limit: POOL_LIMIT,
    }),
    Post.findOne({
      attributes: ['publishedAt'],
      where: { isPublished: true, publishedAt: { [Op.gt]: now } },
      order: [['publishedAt', 'ASC']],
    }),
  ]);
  return { ids: rows.map((row) => row.id), nextPublicationAt: next?.publishedAt?.getTime() ?? null };
}

/** Seconds the pool stays valid: the usual TTL, or less when a scheduled post comes due sooner. */
export function poolTtlSeconds(pool: PostPool, now = Date.now()): number {
  if (pool.nextPublicationAt === null) return POOL_MAX_TTL_SECONDS;
  return Math.min(POOL_MAX_TTL_SECONDS, Math.max(1, Math.ceil((pool.nextPublicationAt - now) / 1000)));
}

/** The pool from the cache, computed on a miss. */
export function postPool(cache: ComputedCache, compute: () => Promise<PostPool> = computePostPool): Promise<PostPool> {
  return cache.remember(
    CACHE_KEYS.publishedPostIds,
    { ttlSeconds: (pool) => poolTtlSeconds(pool), schema: poolSchema },
    compute,
  );
}

/** Up to `count` distinct ids picked at random (a partial Fisher–Yates shuffle). */
export function pickRandom(ids: readonly number[], count: number, random: () => number = Math.random): number[] {
  const pool = [...ids];
  const picked: number[] = [];
  for (let i = 0; i < Math.min(count, pool.length); i += 1) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as number, pool[i] as number];
    picked.push(pool[i] as number);
  }
  return picked;
}

/** A few published posts chosen at random, for the home page. */
export async function randomPublishedPosts(cache: ComputedCache, count = 3): Promise<Post[]> {
  const pool = await postPool(cache);
  return publishedByIds(pickRandom(pool.ids, count));
}
