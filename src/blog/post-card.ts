// What the views need of a post: plain values (title, date in the reader's time zone, excerpt, image URL, views),
// so templates do no formatting and never see the model.
import type { Request, Response } from 'express';
import { DateTime } from 'luxon';
import type { Post } from '../db/models/index.js';
import { excerptOf } from './markdown.js';
import { imagePathOf, parseImagePath } from './post-images.js';

export interface PostCard {
  id: number;
  title: string;
  url: string;
  /** ISO 8601, for <time datetime>. */
  publishedIso: string;
  /** The date as the reader writes it. */
  publishedOn: string;
  excerpt: string;
  imageUrl: string | null;
  /** What the image shows, for readers who cannot see it: the post's own alt text, or its title. */
  imageAlt: string;
  viewCount: number;
}

export interface Reader {
  language: string;
  timeZone: string;
}

/** The reader of this request: their language, and the time zone the page helpers chose (theirs, or the site's). */
export function readerOf(req: Request, res: Response): Reader {
  const zone: unknown = res.locals.timeZone;
  return { language: req.language, timeZone: typeof zone === 'string' ? zone : 'UTC' };
}

/**
 * The public URL of a post's image: a stored image's own path (`/images/<sha256>.<ext>`), or else an old path
 * relative to UPLOAD_DIR, under /uploads/ (which sends it on to its stored image, or answers 404). An old path that
 * tries to leave that folder (absolute, `..`, a URL) gets no image rather than a surprising link.
 */
export function imageUrlOf(imagePath: string | null | undefined): string | null {
  if (!imagePath) return null;
  const stored = parseImagePath(imagePath);
  if (stored) return imagePathOf(stored);
  const segments = imagePath.split('/');
  if (imagePath.includes('\\') || imagePath.includes(':') || segments.some((s) => s === '' || s === '.' || s === '..'))
    return null;
  return `/uploads/${segments.map(encodeURIComponent).join('/')}`;
}

/** A post image's alt text: the one written for it, or else the title (a card's image shows what the post is about). */
export function imageAltOf(post: Pick<Post, 'title' | 'imageAlt'>): string {
  return post.imageAlt?.trim() || post.title;
}

/** The publication day in the reader's time zone, written as every date on the site is (yyyy-MM-dd). */
export function publishedOn(date: Date | null, reader: Reader): string {
  return date ? DateTime.fromJSDate(date, { zone: reader.timeZone }).toFormat('yyyy-MM-dd') : '';
}

/** The card of a post for lists and the home page. */
export function postCard(post: Post, reader: Reader): PostCard {
  return {
    id: post.id,
    title: post.title,
    url: `/blog/${post.id}`,
    publishedIso: post.publishedAt?.toISOString() ?? '',
    publishedOn: publishedOn(post.publishedAt, reader),
    excerpt: excerptOf(post.content),
    imageUrl: imageUrlOf(post.imagePath),
    imageAlt: imageAltOf(post),
    viewCount: post.viewCount,
  };
}
