// Blog posts in the back office: writing, publishing, and their images.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import request from 'supertest';
import { siteEvents } from '../../../src/cache/site-events.js';
import { Image, Post } from '../../../src/db/models/index.js';
import { makePost } from '../../support/factories.js';
import { uniquePng } from '../../support/images.js';
import { API, backOffice, body, PNG } from './back-office.js';

describe('the back office at /admin', () => {
  const office = backOffice();
  const { staff } = office;

  describe('a content manager', () => {
    it('when listing, creating and editing posts, then it works and each change announces posts-changed', async () => {
      const { agent, user } = await staff('content_manager');
      const existing = await makePost({ title: 'Existing post' });
      const announced: (number | null)[] = [];
      const listener = (id: number | null) => announced.push(id);
      siteEvents.on('posts-changed', listener);
      try {
        const list = body(await agent.get(`${API}/posts/actions/list`).expect(200));
        expect(list.records?.map((record) => record.params.title)).to.include('Existing post');

        const created = body(
          await agent
            .post(`${API}/posts/actions/new`)
            .field('title', 'Hello from the back office')
            .field('content', '# Hello\n\nSome *markdown*.')
            .field('isPublished', 'true')
            .field('viewCount', '999')
            .expect(200),
        );
        expect(created.notice?.type, JSON.stringify(created)).to.equal('success');
        const post = await Post.findOne({ where: { title: 'Hello from the back office' } });
        expect(post?.authorId).to.equal(user.id);
        expect(post?.isPublished).to.equal(true);
        expect(post?.publishedAt).to.be.instanceOf(Date);
        expect(post?.viewCount, 'the view count is read-only').to.equal(0);

        const edited = body(
          await agent.post(`${API}/posts/records/${existing.id}/edit`).field('title', 'Renamed post').expect(200),
        );
        expect(edited.notice?.type, JSON.stringify(edited)).to.equal('success');
        expect((await existing.reload()).title).to.equal('Renamed post');

        await agent.post(`${API}/posts/records/${existing.id}/delete`).expect(200);
        expect(await Post.findByPk(existing.id)).to.equal(null);
        expect(announced).to.deep.equal([post?.id, existing.id, existing.id]);
      } finally {
        siteEvents.off('posts-changed', listener);
      }
    });

    it('when the post has no title, then it is refused with a field error', async () => {
      const { agent } = await staff('content_manager');
      const res = body(await agent.post(`${API}/posts/actions/new`).field('content', 'text').expect(200));
      expect(res.notice?.type).to.equal('error');
      expect(res.record?.errors.title?.message).to.be.a('string');
    });

    it('when a draft is published without a date, then it is published now; a date given is kept', async () => {
      const { agent } = await staff('content_manager');
      const draft = await makePost();
      await draft.update({ isPublished: false, publishedAt: null });
      const before = Date.now();
      const published = body(
        await agent.post(`${API}/posts/records/${draft.id}/edit`).field('isPublished', 'true').expect(200),
      );
      expect(published.notice?.type, JSON.stringify(published)).to.equal('success');
      await draft.reload();
      expect(draft.isPublished).to.equal(true);
      expect(draft.publishedAt?.getTime()).to.be.within(before, Date.now());

      const later = new Date('2031-05-01T08:00:00Z');
      const scheduled = body(
        await agent
          .post(`${API}/posts/actions/new`)
          .field('title', 'Scheduled post')
          .field('content', 'Soon')
          .field('isPublished', 'true')
          .field('publishedAt', later.toISOString())
          .expect(200),
      );
      expect(scheduled.notice?.type, JSON.stringify(scheduled)).to.equal('success');
      const post = await Post.findOne({ where: { title: 'Scheduled post' } });
      expect(post?.publishedAt?.toISOString()).to.equal(later.toISOString());
    });
  });

  describe('post images', () => {
    it('when a PNG is uploaded, then it is stored in the database and served at its content-hash URL', async () => {
      const { agent } = await staff('content_manager');
      const png = uniquePng();
      const res = body(
        await agent
          .post(`${API}/posts/actions/new`)
          .field('title', 'With a picture')
          .field('content', 'Look')
          .attach('image', png, { filename: 'picture.txt', contentType: 'text/plain' })
          .expect(200),
      );
      expect(res.notice?.type, JSON.stringify(res)).to.equal('success');
      const post = await Post.findOne({ where: { title: 'With a picture' } });
      const sha256 = createHash('sha256').update(png).digest('hex');
      expect(post?.imagePath).to.equal(`/images/${sha256}.png`);
      expect(readdirSync(office.uploadDir), 'no image file in UPLOAD_DIR').not.to.include('posts');

      const served = await request(office.app)
        .get(post?.imagePath ?? '')
        .expect(200);
      expect(Buffer.from(served.body as Buffer).equals(png)).to.equal(true);
      expect(served.headers['content-type']).to.equal('image/png');
      expect(served.headers['x-content-type-options']).to.equal('nosniff');
      expect(served.headers['cache-control']).to.equal('public, max-age=31536000, immutable');
      expect(served.headers.etag).to.equal(`"${sha256}"`);

      await agent.post(`${API}/posts/records/${post?.id}/delete`).expect(200);
      expect(await Image.findByPk(sha256), 'the image goes with its post').to.equal(null);
      await request(office.app)
        .get(post?.imagePath ?? '')
        .expect(404);
    });

    it('when the file is not an image or larger than 2 MB, then the post is refused and nothing is stored', async () => {
      const { agent } = await staff('content_manager');
      const tooLarge = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
      const cases = [
        { title: 'Fake', file: Buffer.from('<svg onload="alert(1)"></svg>'), filename: 'fake.png', type: 'image/png' },
        { title: 'Huge', file: tooLarge, filename: 'huge.png', type: 'image/png' },
      ];
      for (const { title, file, filename, type } of cases) {
        const res = body(
          await agent
            .post(`${API}/posts/actions/new`)
            .field('title', title)
            .field('content', 'text')
            .attach('image', file, { filename, contentType: type })
            .expect(200),
        );
        expect(res.record?.errors.image?.message, title).to.be.a('string');
        expect(await Post.count({ where: { title } })).to.equal(0);
      }
    });

    it('when a new image replaces the old one, then the old one is deleted', async () => {
      const { agent } = await staff('admin');
      const created = await agent
        .post(`${API}/posts/actions/new`)
        .field('title', 'Replace me')
        .field('content', 'x')
        .attach('image', uniquePng(), 'a.png');
      expect(body(created).notice?.type).to.equal('success');
      const post = await Post.findOne({ where: { title: 'Replace me' } });
      const first = post?.imagePath ?? '';
      await agent.post(`${API}/posts/records/${post?.id}/edit`).attach('image', uniquePng(), 'b.png').expect(200);
      await post?.reload();
      expect(post?.imagePath)
        .to.match(/^\/images\/[0-9a-f]{64}\.png$/)
        .and.not.to.equal(first);
      await request(office.app).get(first).expect(404);
      await request(office.app)
        .get(post?.imagePath ?? '')
        .expect(200);
    });
    it('when “remove the image” is ticked, then the post loses its image and the image is deleted', async () => {
      const { agent } = await staff('content_manager');
      await agent
        .post(`${API}/posts/actions/new`)
        .field('title', 'Drop my picture')
        .field('content', 'x')
        .attach('image', uniquePng(), 'c.png')
        .expect(200);
      const post = await Post.findOne({ where: { title: 'Drop my picture' } });
      const url = post?.imagePath ?? '';
      await request(office.app).get(url).expect(200);
      const res = body(
        await agent.post(`${API}/posts/records/${post?.id}/edit`).field('removeImage', 'true').expect(200),
      );
      expect(res.notice?.type, JSON.stringify(res)).to.equal('success');
      expect((await post?.reload())?.imagePath).to.equal(null);
      await request(office.app).get(url).expect(404);
    });
  });
});
