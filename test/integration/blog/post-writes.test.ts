import { expect } from 'chai';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { siteEvents } from '../../../src/cache/site-events.js';
import { IMAGE_FOLDER, MAX_IMAGE_BYTES, type ImageFile } from '../../../src/blog/post-images.js';
import { createPost, updatePost, type PostInput } from '../../../src/blog/posts.service.js';
import { Post } from '../../../src/db/models/index.js';
import { ValidationError } from '../../../src/errors.js';
import { rejectionOf } from '../../support/expect.js';
import { makeUser } from '../../support/factories.js';
import { scratchFolder } from '../../support/hooks.js';

const now = new Date('2030-03-04T05:06:07Z');

function text(overrides: Partial<PostInput> = {}): PostInput {
  return { title: 'A post', content: 'Some *markdown*', isPublished: true, publishedAt: null, ...overrides };
}

/** A file on disk, as the multipart parser leaves one. */
function fileOf(folder: string, name: string, bytes: Buffer, size = bytes.length): ImageFile {
  const file = path.join(folder, name);
  writeFileSync(file, bytes);
  return { path: file, size };
}

describe('the blog’s post writes', () => {
  it('when a post is published without a date, then it is published now; a date given is kept, a draft has none', async () => {
    const storage = { uploadDir: scratchFolder('uploads') };
    const author = await makeUser({ role: 'content_manager' });
    const announced: (number | null)[] = [];
    const listener = (id: number | null) => announced.push(id);
    siteEvents.on('posts-changed', listener);
    try {
      const published = await createPost(storage, author, text(), null, now);
      const later = new Date('2031-01-01T00:00:00Z');
      const scheduled = await createPost(storage, author, text({ publishedAt: later }), null, now);
      const draft = await createPost(storage, author, text({ isPublished: false }), null, now);
      expect([published.publishedAt, scheduled.publishedAt, draft.publishedAt]).to.deep.equal([now, later, null]);
      expect(published.authorId).to.equal(author.id);
      const publishedLater = new Date('2030-04-01T00:00:00Z');
      await updatePost(storage, draft.id, text({ isPublished: true }), undefined, publishedLater);
      expect((await draft.reload()).publishedAt).to.deep.equal(publishedLater);
      expect(announced).to.deep.equal([published.id, scheduled.id, draft.id, draft.id]);
    } finally {
      siteEvents.off('posts-changed', listener);
    }
  });

  it('when the image is not one, is empty or too large, then it is the image field’s error and nothing is stored', async () => {
    const storage = { uploadDir: scratchFolder('uploads') };
    const received = scratchFolder('received');
    const author = await makeUser({ role: 'content_manager' });
    const post = await createPost(storage, author, text({ title: 'Kept as it was' }), null, now);
    const refused = [
      fileOf(received, 'page.png', Buffer.from('<html></html>')),
      fileOf(received, 'empty.png', Buffer.alloc(0)),
      fileOf(received, 'huge.png', Buffer.from('89504e470d0a1a0a', 'hex'), MAX_IMAGE_BYTES + 1),
    ];
    for (const file of refused) {
      const error = await rejectionOf(
        updatePost(storage, post.id, text({ title: 'Changed' }), { file, remove: false }),
      );
      expect(error, file.path).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).fieldErrors)
        .to.have.property('image')
        .that.is.a('string');
    }
    expect((await Post.findByPk(post.id))?.title).to.equal('Kept as it was');
    expect(readdirSync(storage.uploadDir).filter((name) => name === IMAGE_FOLDER)).to.deep.equal([]);
  });
});
