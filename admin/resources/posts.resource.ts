// Blog posts (content managers and admins): Markdown text, an image, publishing; the view count is read-only.
import type { ResourceWithOptions } from 'adminjs';
import { Post } from '../../src/db/models/index.js';
import { actorOf } from '../handlers.js';
import { UPLOADS_URL } from '../images.js';
import { createPost, deletePost, updatePost } from '../posts.js';
import { gatedActions, type ResourceDeps } from './common.js';

export function postsResource(deps: ResourceDeps, components: { imageUpload: string }): ResourceWithOptions {
  const options = { uploadDir: deps.config.uploadDir };
  return {
    resource: Post,
    options: {
      navigation: { name: 'Blog', icon: 'FileText' },
      sort: { sortBy: 'id', direction: 'desc' },
      listProperties: ['id', 'image', 'title', 'isPublished', 'publishedAt', 'viewCount'],
      showProperties: [
        'id',
        'title',
        'image',
        'imagePath',
        'content',
        'isPublished',
        'publishedAt',
        'viewCount',
        'authorId',
        'createdAt',
        'updatedAt',
      ],
      editProperties: ['title', 'content', 'image', 'removeImage', 'isPublished', 'publishedAt'],
      filterProperties: ['title', 'isPublished', 'publishedAt'],
      properties: {
        content: {
          type: 'textarea',
          props: { rows: 18 },
          description: 'Markdown.',
        },
        image: {
          components: { list: components.imageUpload, show: components.imageUpload, edit: components.imageUpload },
          custom: { baseUrl: UPLOADS_URL },
          isVisible: { list: true, show: true, edit: true, filter: false },
          isSortable: false,
        },
        imagePath: { isVisible: { list: false, show: true, edit: false, filter: false } },
        removeImage: {
          type: 'boolean',
          isVisible: { list: false, show: false, edit: true, filter: false },
          description: 'Tick to remove the current image.',
        },
        publishedAt: { description: 'Left empty, publishing sets it to now.' },
        viewCount: { isVisible: { list: true, show: true, edit: false, filter: false } },
      },
      actions: gatedActions('posts', {
        create: (payload, context) => createPost(options, actorOf(context).userId, payload),
        update: (id, payload) => updatePost(options, id, payload),
        remove: (id) => deletePost(options, id),
      }),
    },
  };
}
