// Blog post writes from the back office: text, publishing and the image, each followed by `posts-changed` so
// the site's caches drop what they hold (rendering and sanitising the Markdown is the blog's job).
import { z } from 'zod';
import { textField } from '../src/forms/text-fields.js';
import { Post } from '../src/db/models/index.js';
import { siteEvents } from '../src/cache/site-events.js';
import { NotFoundError } from '../src/errors.js';
import { fieldError, parsePayload, type Payload } from './handlers.js';
import { flag, optionalDate, overlay } from './fields.js';
import { ImageError, isReceivedFile, removeImage, storeImage } from './images.js';

export const POST_FIELDS = ['title', 'content', 'isPublished', 'publishedAt'] as const;
export const CONTENT_MAX = 200_000;

const postForm = z.object({
  title: textField(200, { required: true }),
  content: textField(CONTENT_MAX, { required: true, multiline: true }),
  isPublished: flag,
  publishedAt: optionalDate,
});

export interface PostWriteOptions {
  uploadDir: string;
}

/** Publishing without a date publishes now. */
function publishing(input: z.infer<typeof postForm>) {
  return {
    title: input.title,
    content: input.content,
    isPublished: input.isPublished,
    publishedAt: input.publishedAt ?? (input.isPublished ? new Date() : null),
  };
}

/** Stores the payload's image if it carries one; a refused file is a field error. */
async function acceptImage(value: unknown, uploadDir: string): Promise<string | null> {
  if (!isReceivedFile(value)) return null;
  if (value.size === 0 && !value.name) return null; // a file input left empty
  try {
    return await storeImage(value, uploadDir);
  } catch (error) {
    if (error instanceof ImageError) throw fieldError('image', error.message);
    throw error;
  }
}

/** Creates a post by the staff member. */
export async function createPost(options: PostWriteOptions, authorId: number, payload: Payload): Promise<number> {
  const input = parsePayload(postForm, overlay({}, payload, POST_FIELDS));
  const imagePath = await acceptImage(payload.image, options.uploadDir);
  try {
    const post = await Post.create({ ...publishing(input), imagePath, authorId });
    siteEvents.emit('posts-changed', post.id);
    return post.id;
  } catch (error) {
    await removeImage(options.uploadDir, imagePath);
    throw error;
  }
}

/** Changes a post; a new image replaces the old one (whose file is deleted), `removeImage` drops it. */
export async function updatePost(options: PostWriteOptions, id: number, payload: Payload): Promise<void> {
  const post = await Post.findByPk(id);
  if (!post) throw new NotFoundError();
  const current = {
    title: post.title,
    content: post.content,
    isPublished: post.isPublished,
    publishedAt: post.publishedAt,
  };
  const input = parsePayload(postForm, overlay(current, payload, POST_FIELDS));
  const dropping = flag.parse(payload.removeImage);
  const newImage = await acceptImage(payload.image, options.uploadDir);
  const oldImage = post.imagePath;
  try {
    await post.update({ ...publishing(input), imagePath: newImage ?? (dropping ? null : oldImage) });
  } catch (error) {
    await removeImage(options.uploadDir, newImage);
    throw error;
  }
  if (oldImage && (newImage || dropping)) await removeImage(options.uploadDir, oldImage);
  siteEvents.emit('posts-changed', post.id);
}

/** Deletes a post and its image file. */
export async function deletePost(options: PostWriteOptions, id: number): Promise<void> {
  const post = await Post.findByPk(id);
  if (!post) throw new NotFoundError();
  await post.destroy();
  await removeImage(options.uploadDir, post.imagePath);
  siteEvents.emit('posts-changed', id);
}
