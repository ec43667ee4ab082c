// Blog posts (content managers and admins): Markdown text, an image, publishing; the view count is read-only.
// The writes go through the blog's rules (admin/posts.ts reads the payload).
import type { ResourceWithOptions } from 'adminjs';
import { Post } from '../../src/db/models/index.js';
import { UPLOADS_URL } from '../images.js';
import { postWriter } from '../posts.js';
import { gatedActions } from './common.js';

/** The posts resource: the blog's posts with their image field, written through the blog's rules. */
export function postsResource(components: { imageUpload: string }): ResourceWithOptions {
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
        'imageAlt',
        'content',
        'isPublished',
        'publishedAt',
        'viewCount',
        'authorId',
        'createdAt',
        'updatedAt',
      ],
      editProperties: ['title', 'content', 'image', 'imageAlt', 'removeImage', 'isPublished', 'publishedAt'],
      filterProperties: ['title', 'isPublished', 'publishedAt'],
      properties: {
        content: {
          type: 'textarea',
          props: { rows: 18 },
          description: 'contentHelp',
        },
        image: {
          components: { list: components.imageUpload, show: components.imageUpload, edit: components.imageUpload },
          custom: { baseUrl: UPLOADS_URL },
          isVisible: { list: true, show: true, edit: true, filter: false },
          isSortable: false,
        },
        imagePath: { isVisible: { list: false, show: true, edit: false, filter: false } },
        // Optional (the title stands in): the column is NOT NULL only to hold '' rather than null.
        imageAlt: { description: 'imageAltHelp', isRequired: false },
        removeImage: {
          type: 'boolean',
          isVisible: { list: false, show: false, edit: true, filter: false },
          description: 'removeImageHelp',
        },
        publishedAt: { description: 'publishedAtHelp' },
        viewCount: { isVisible: { list: true, show: true, edit: false, filter: false } },
      },
      actions: gatedActions('posts', postWriter()),
    },
  };
}
