import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { siteEvents } from '../../../src/cache/site-events.js';
import { MAX_IMAGE_BYTES, type ImageFile } from '../../../src/blog/post-images.js';
import { createPost, deletePost, updatePost, type PostInput } from '../../../src/blog/posts.service.js';
import { Image, Post } from '../../../src/db/models/index.js';
import { ValidationError } from '../../../src/errors.js';
import { rejectionOf } from '../../support/expect.js';
import { makeUser } from '../../support/factories.js';
import { scratchFolder } from '../../support/hooks.js';
import { uniqueGif, uniquePng } from '../../support/images.js';

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
    const author = await makeUser({ role: 'content_manager' });
    const announced: (number | null)[] = [];
    const listener = (id: number | null) => announced.push(id);
    siteEvents.on('posts-changed', listener);
    try {
      const published = await createPost(author, text(), null, now);
      const later = new Date('2031-01-01T00:00:00Z');
      const scheduled = await createPost(author, text({ publishedAt: later }), null, now);
      const draft = await createPost(author, text({ isPublished: false }), null, now);
      expect([published.publishedAt, scheduled.publishedAt, draft.publishedAt]).to.deep.equal([now, later, null]);
      expect(published.authorId).to.equal(author.id);
      const publishedLater = new Date('2030-04-01T00:00:00Z');
      await updatePost(draft.id, text({ isPublished: true }), undefined, publishedLater);
      expect((await draft.reload()).publishedAt).to.deep.equal(publishedLater);
      expect(announced).to.deep.equal([published.id, scheduled.id, draft.id, draft.id]);
    } finally {
      siteEvents.off('posts-changed', listener);
    }
  });

  it('when the image is not one, is empty or too large, then it is the image field’s error and nothing is stored', async () => {
    const received = scratchFolder('received');
    const author = await makeUser({ role: 'content_manager' });
    const post = await createPost(author, text({ title: 'Kept as it was' }), null, now);
    const imagesBefore = await Image.count();
    const refused = [
      fileOf(received, 'page.png', Buffer.from('<html></html>')),
      fileOf(received, 'empty.png', Buffer.alloc(0)),
      fileOf(received, 'huge.png', Buffer.from('89504e470d0a1a0a', 'hex'), MAX_IMAGE_BYTES + 1),
    ];
    for (const file of refused) {
      const error = await rejectionOf(updatePost(post.id, text({ title: 'Changed' }), { file, remove: false }));
      expect(error, file.path).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).fieldErrors)
        .to.have.property('image')
        .that.is.a('string');
    }
    expect((await Post.findByPk(post.id))?.title).to.equal('Kept as it was');
    expect(await Image.count()).to.equal(imagesBefore);
  });

  describe('images', () => {
    const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
    const stored = (bytes: Buffer) => Image.findByPk(sha256(bytes));

    it('when a post gets an image, then its bytes, type, size and hash are stored and the post names /images/<sha256>.<ext>', async () => {
      const author = await makeUser({ role: 'content_manager' });
      const bytes = uniqueGif();
      const post = await createPost(author, text(), fileOf(scratchFolder('received'), 'x.bin', bytes), now);
      expect(post.imagePath).to.equal(`/images/${sha256(bytes)}.gif`);
      const image = await stored(bytes);
      expect(image?.contentType).to.equal('image/gif');
      expect(image?.byteSize).to.equal(bytes.length);
      expect(Buffer.from(image?.bytes ?? []).equals(bytes)).to.equal(true);
      expect(image?.createdAt).to.be.instanceOf(Date);
    });

    it('when two posts carry the same image, then it is stored once and stays until neither names it', async () => {
      const author = await makeUser({ role: 'content_manager' });
      const received = scratchFolder('received');
      const bytes = uniquePng();
      const first = await createPost(author, text(), fileOf(received, 'a.png', bytes), now);
      const second = await createPost(author, text(), fileOf(received, 'b.png', bytes), now);
      expect(second.imagePath).to.equal(first.imagePath);
      expect(await Image.count({ where: { sha256: sha256(bytes) } })).to.equal(1);
      await updatePost(first.id, text(), { file: null, remove: true }, now);
      expect(await stored(bytes), 'the second post still shows it').not.to.equal(null);
      await deletePost(second.id);
      expect(await stored(bytes), 'nobody shows it any more').to.equal(null);
    });

    it('when an image is replaced, then the old one goes, unless a post’s text shows it', async () => {
      const author = await makeUser({ role: 'content_manager' });
      const received = scratchFolder('received');
      const [old, quoted, replacement] = [uniquePng(), uniquePng(), uniquePng()];
      const post = await createPost(author, text(), fileOf(received, 'old.png', old), now);
      await updatePost(post.id, text(), { file: fileOf(received, 'new.png', replacement), remove: false }, now);
      expect((await post.reload()).imagePath).to.equal(`/images/${sha256(replacement)}.png`);
      expect(await stored(old)).to.equal(null);

      const shown = await createPost(author, text(), fileOf(received, 'quoted.png', quoted), now);
      await createPost(author, text({ content: `See ![it](/images/${sha256(quoted)}.png)` }), null, now);
      await updatePost(shown.id, text(), { file: null, remove: true }, now);
      expect(await stored(quoted), 'another post’s text shows it').not.to.equal(null);
    });
  });
});
