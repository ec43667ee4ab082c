import { expect } from 'chai';
import { computePostPool, postPool } from '../../../src/blog/post-pool.js';
import { createSiteCache, type SiteCache } from '../../../src/cache/site-cache.js';
import { siteEvents } from '../../../src/cache/site-events.js';
import { Post } from '../../../src/db/models/index.js';
import { makePost, unique } from '../../support/factories.js';
import { storeKinds } from '../../support/cache-sites.js';

for (const kind of storeKinds()) {
  describe(`the pool of published posts (${kind.name})`, () => {
    let cache: SiteCache;
    let computed = 0;
    const pool = () =>
      postPool(cache.computed, () => {
        computed += 1;
        return computePostPool();
      });

    beforeEach(() => {
      cache = createSiteCache(kind.make());
      computed = 0;
    });
    afterEach(() => cache.close());

    it('when read twice with nothing changed, then it is computed once', async () => {
      await pool();
      await pool();
      expect(computed).to.equal(1);
    });

    it('when a post is published and that is announced, then the pool includes it', async () => {
      const post = await Post.create({ title: unique('Draft '), content: 'x', authorId: null, isPublished: false });
      expect((await pool()).ids).not.to.include(post.id);
      await post.update({ isPublished: true, publishedAt: new Date(Date.now() - 1_000) });
      expect((await pool()).ids, 'cached until announced').not.to.include(post.id);
      siteEvents.emit('posts-changed', post.id);
      expect((await pool()).ids).to.include(post.id);
    });

    it('when a post is unpublished and that is announced, then the pool leaves it out', async () => {
      const post = await makePost();
      expect((await pool()).ids).to.include(post.id);
      await post.update({ isPublished: false });
      siteEvents.emit('posts-changed', post.id);
      expect((await pool()).ids).not.to.include(post.id);
    });

    it('when a post is edited and that is announced, then the pool is read afresh', async () => {
      const post = await makePost();
      await pool();
      await post.update({ title: unique('Edited ') });
      siteEvents.emit('posts-changed', post.id);
      await pool();
      expect(computed).to.equal(2);
    });

    it('when a post is scheduled, then the pool says when it comes due (and expires by then)', async () => {
      const due = new Date(Date.now() + 30_000);
      await Post.create({ title: unique('Later '), content: 'x', authorId: null, isPublished: true, publishedAt: due });
      siteEvents.emit('posts-changed', null);
      const next = (await pool()).nextPublicationAt;
      expect(next).to.be.a('number');
      expect(next).to.be.at.most(due.getTime());
    });
  });
}
