// Blog post writes (staff: content managers and admins): the text, publishing and the image, each followed by
// `posts-changed` so the site's caches drop what they hold (rendering and sanitising Markdown is markdown.ts').
import { siteEvents } from '../cache/site-events.js';
import { Post } from '../db/models/index.js';
import { found } from '../errors.js';
import { removeImage, storeImage, type ImageFile } from './post-images.js';

export interface PostInput {
  title: string;
  content: string;
  /** What the image shows; empty: the title stands in. Left out, an edit keeps the one the post has. */
  imageAlt?: string;
  isPublished: boolean;
  /** When it shows on the blog; null with isPublished means now. */
  publishedAt: Date | null;
}

/** Where post images are stored (UPLOAD_DIR). */
export interface PostStorage {
  uploadDir: string;
}

/** What an edit does to the image: a new file replaces the old one; `remove` drops it. */
export interface ImageChange {
  file: ImageFile | null;
  remove: boolean;
}

/** Publishing without a date publishes now. */
function publishing(input: PostInput, now: Date) {
  return {
    title: input.title,
    content: input.content,
    ...(input.imageAlt === undefined ? {} : { imageAlt: input.imageAlt }),
    isPublished: input.isPublished,
    publishedAt: input.publishedAt ?? (input.isPublished ? now : null),
  };
}

/** Any post by id, published or not, for staff editing it. */
export function findPost(id: number): Promise<Post> {
  return found(Post.findByPk(id));
}

/** Creates a post by a staff member, with its image if it has one (a refused file is the `image` field's error). */
export async function createPost(
  storage: PostStorage,
  author: { id: number },
  input: PostInput,
  image: ImageFile | null,
  now = new Date(),
): Promise<Post> {
  const imagePath = image ? await storeImage(image, storage.uploadDir) : null;
  try {
    const post = await Post.create({ ...publishing(input, now), imagePath, authorId: author.id });
    siteEvents.emit('posts-changed', post.id);
    return post;
  } catch (error) {
    await removeImage(storage.uploadDir, imagePath);
    throw error;
  }
}

/** Changes a post; a replaced or removed image's file is deleted once the post no longer names it. */
export async function updatePost(
  storage: PostStorage,
  id: number,
  input: PostInput,
  image: ImageChange = { file: null, remove: false },
  now = new Date(),
): Promise<Post> {
  const post = await findPost(id);
  const newImage = image.file ? await storeImage(image.file, storage.uploadDir) : null;
  const oldImage = post.imagePath;
  try {
    await post.update({ ...publishing(input, now), imagePath: newImage ?? (image.remove ? null : oldImage) });
  } catch (error) {
    await removeImage(storage.uploadDir, newImage);
    throw error;
  }
  if (oldImage && (newImage || image.remove)) await removeImage(storage.uploadDir, oldImage);
  siteEvents.emit('posts-changed', post.id);
  return post;
}

/** Deletes a post and its image file. */
export async function deletePost(storage: PostStorage, id: number): Promise<void> {
  const post = await findPost(id);
  await post.destroy();
  await removeImage(storage.uploadDir, post.imagePath);
  siteEvents.emit('posts-changed', id);
}
