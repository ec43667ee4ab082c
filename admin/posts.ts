// Blog posts in the back office: AdminJS's payload read into the blog's input (the texts, the checkbox, the date,
// the uploaded file); the writes and their rules are the blog's (src/blog/posts.service.ts).
import { z } from 'zod';
import { postTextFields } from '../src/blog/post.form.js';
import { createPost, deletePost, findPost, updatePost } from '../src/blog/posts.service.js';
import { parsePayload, staffOf, type RecordWriter } from './handlers.js';
import { flag, optionalDate, overlay } from './fields.js';
import { imageOf } from './images.js';

const POST_FIELDS = ['title', 'content', 'imageAlt', 'isPublished', 'publishedAt'] as const;

const postForm = z.object({ ...postTextFields, isPublished: flag, publishedAt: optionalDate });

/** The posts resource's writes, each through the blog's rules. */
export function postWriter(): RecordWriter {
  return {
    create: async (payload, context) => {
      const input = parsePayload(postForm, overlay({}, payload, POST_FIELDS));
      return (await createPost(staffOf(context), input, imageOf(payload.image))).id;
    },
    update: async (id, payload) => {
      const input = parsePayload(postForm, overlay(await findPost(id), payload, POST_FIELDS));
      await updatePost(id, input, { file: imageOf(payload.image), remove: flag.parse(payload.removeImage) });
    },
    remove: (id) => deletePost(id),
  };
}
