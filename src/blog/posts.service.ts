// Blog post writes (staff: content managers and admins): the text, publishing and the image, each followed by
// `posts-changed` so the site's caches drop what they hold (rendering and sanitising Markdown is markdown.ts').
// The image and the post are written in one transaction: a post never names an image that is not stored, and an
// image no post names any more goes with the change that let it go.
import { siteEvents } from '../cache/site-events.js';
import { boundDatabase, Post } from '../db/models/index.js';
import { found } from '../errors.js';
import { dropImageIfUnused, saveImage } from './image-store.js';
import { readImage, type ImageFile } from './post-images.js';

export interface PostInput {
  title: string;
  content: string;
  /** What the image shows; empty: the title stands in. Left out, an edit keeps the one the post has. */
  imageAlt?: string;
  isPublished: boolean;
  /** When it shows on the blog; null with isPublished means now. */
  publishedAt: Date | null;
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
  author: { id: number },
  input: PostInput,
  image: ImageFile | null,
  now = new Date(),
): Promise<Post> {
  const checked = image ? await readImage(image) : null;
  const post = await boundDatabase().transaction(async (transaction) => {
    const imagePath = checked ? await saveImage(checked, transaction) : null;
    return Post.create({ ...publishing(input, now), imagePath, authorId: author.id }, { transaction });
  });
  siteEvents.emit('posts-changed', post.id);
  return post;
}

/** Changes a post; a replaced or removed image is deleted once no post names it. */
export async function updatePost(
  id: number,
  input: PostInput,
  image: ImageChange = { file: null, remove: false },
  now = new Date(),
): Promise<Post> {
  const post = await findPost(id);
  const checked = image.file ? await readImage(image.file) : null;
  const oldImage = post.imagePath;
  await boundDatabase().transaction(async (transaction) => {
    const newImage = checked ? await saveImage(checked, transaction) : null;
    const imagePath = newImage ?? (image.remove ? null : oldImage);
    await post.update({ ...publishing(input, now), imagePath }, { transaction });
    if (oldImage !== imagePath) await dropImageIfUnused(oldImage, transaction);
  });
  siteEvents.emit('posts-changed', post.id);
  return post;
}

/** Deletes a post, and its image unless another post shows it. */
export async function deletePost(id: number): Promise<void> {
  const post = await findPost(id);
  await boundDatabase().transaction(async (transaction) => {
    await post.destroy({ transaction });
    await dropImageIfUnused(post.imagePath, transaction);
  });
  siteEvents.emit('posts-changed', id);
}
