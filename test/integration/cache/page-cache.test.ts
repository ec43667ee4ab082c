import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { MemoryStore } from '../../../src/cache/memory-store.js';
import { siteEvents } from '../../../src/cache/site-events.js';
import { Post } from '../../../src/db/models/index.js';
import { makeMailing, makePost, makeUser, unique } from '../../support/factories.js';
import { signedIn, visitor } from '../../support/web.js';
import { testDatabase } from '../../support/hooks.js';
import { queryCounter, siteWith, STATS_QUERY, statsOn } from '../../support/cache-sites.js';

/** apicache marks the pages it answers from its store (outside production). */
const fromCache = (res: request.Response) => res.headers['apicache-store'] !== undefined;

/** Changes a post's title without announcing it, so a page showing the old one came from the cache. */
const retitleQuietly = (post: Post, title: string) => Post.update({ title }, { where: { id: post.id } });

describe('the page cache', () => {
  let app: Express;
  beforeEach(() => {
    app = siteWith(new MemoryStore(`test:${unique()}:`));
  });

  it('when an anonymous visitor asks twice, then the second page comes from the cache and browsers must revalidate', async () => {
    const post = await makePost();
    const first = await request(app).get(`/blog/${post.id}`).expect(200);
    expect(fromCache(first)).to.equal(false);
    expect(first.headers['cache-control']).to.equal('no-cache');
    const second = await request(app).get(`/blog/${post.id}`).expect(200);
    expect(fromCache(second)).to.equal(true);
    expect(second.headers['cache-control']).to.equal('no-cache');
    expect(second.headers['set-cookie']).to.equal(undefined);
  });

  it('when the same page is asked in another language, then it is not the cached one', async () => {
    const post = await makePost();
    await request(app).get(`/blog/${post.id}`).set('Accept-Language', 'en').expect(200);
    const russian = await request(app).get(`/blog/${post.id}`).set('Accept-Language', 'ru').expect(200);
    expect(fromCache(russian)).to.equal(false);
    expect(russian.text).to.contain('Все записи');
    const byCookie = await request(app).get(`/blog/${post.id}`).set('Cookie', 'lang=ru').expect(200);
    expect(fromCache(byCookie)).to.equal(true);
    expect(byCookie.text).to.contain('Все записи');
  });

  it('when htmx asks for the same URL, then it gets the fragment, never the cached full page (and the other way round)', async () => {
    await makePost();
    await request(app).get('/blog').expect(200);
    const fragment = await request(app).get('/blog').set('HX-Request', 'true').expect(200);
    expect(fromCache(fragment)).to.equal(false);
    expect(fragment.text).not.to.contain('<html');
    const boosted = await request(app).get('/blog').set('HX-Request', 'true').set('HX-Boosted', 'true').expect(200);
    expect(boosted.text).to.contain('<html');
    const again = await request(app).get('/blog').set('HX-Request', 'true').expect(200);
    expect(fromCache(again)).to.equal(true);
    expect(again.text).not.to.contain('<html');
    const page = await request(app).get('/blog').expect(200);
    expect(page.text).to.contain('<html');
  });

  it('when a signed-in user opens a cached page, then they get their own page, and theirs is never stored', async () => {
    const post = await makePost();
    await request(app).get(`/blog/${post.id}`).expect(200);
    const user = await makeUser({ fullName: 'Signed Reader' });
    const reader = await signedIn(app, user);
    const theirs = await reader.agent.get(`/blog/${post.id}`).expect(200);
    expect(fromCache(theirs)).to.equal(false);
    expect(theirs.text).to.contain('Signed Reader');
    await reader.agent.get('/').expect(200);
    const anonymous = await request(app).get('/').expect(200);
    expect(anonymous.text).not.to.contain('Signed Reader');
    expect(anonymous.text).to.contain('Sign up free');
  });

  it('when the response sets a cookie (a visitor with a session), then it is not stored', async () => {
    const post = await makePost();
    const guest = await visitor(app);
    const withSession = await guest.agent.get(`/blog/${post.id}`).expect(200);
    expect(withSession.headers['set-cookie']).to.be.an('array');
    await retitleQuietly(post, 'Seen by the next visitor');
    const next = await request(app).get(`/blog/${post.id}`).expect(200);
    expect(fromCache(next)).to.equal(false);
    expect(next.text).to.contain('Seen by the next visitor');
  });

  it('when the URL carries a made-up query, then the page is answered fresh and not stored', async () => {
    const post = await makePost();
    await request(app).get(`/blog/${post.id}?utm=${unique()}`).expect(200);
    await request(app).get(`/blog/${post.id}?utm=x`).expect(200);
    expect(fromCache(await request(app).get(`/blog/${post.id}?utm=x`).expect(200))).to.equal(false);
    await request(app).get('/blog?page=1').expect(200);
    expect(fromCache(await request(app).get('/blog?page=1').expect(200))).to.equal(true);
  });

  it('when an htmx header has a made-up value, then it is keyed as absent', async () => {
    const post = await makePost();
    await request(app).get(`/blog/${post.id}`).expect(200);
    const odd = await request(app).get(`/blog/${post.id}`).set('HX-Request', unique()).expect(200);
    expect(fromCache(odd)).to.equal(true);
  });

  it('when a page was an error, then it is not stored', async () => {
    const post = await Post.create({ title: unique('Soon '), content: 'x', authorId: null, isPublished: false });
    await request(app).get(`/blog/${post.id}`).expect(404);
    await Post.update({ isPublished: true, publishedAt: new Date() }, { where: { id: post.id } });
    await request(app).get(`/blog/${post.id}`).expect(200);
  });

  it('when posts change, then the blog and home pages are recomputed', async () => {
    const post = await makePost();
    await request(app).get(`/blog/${post.id}`).expect(200);
    await request(app).get('/').expect(200);
    expect(fromCache(await request(app).get('/').expect(200))).to.equal(true);
    await retitleQuietly(post, 'Announced title');
    siteEvents.emit('posts-changed', post.id);
    const page = await request(app).get(`/blog/${post.id}`).expect(200);
    expect(page.text).to.contain('Announced title');
    expect(fromCache(await request(app).get('/').expect(200))).to.equal(false);
  });

  it('when statistics change, then the anonymous home page is recomputed and the blog stays cached', async () => {
    const post = await makePost();
    await request(app).get(`/blog/${post.id}`).expect(200);
    const before = statsOn((await request(app).get('/').expect(200)).text);
    await makeMailing(await makeUser()); // the model hooks announce "stats-changed" after the write
    const home = await request(app).get('/').expect(200);
    expect(fromCache(home)).to.equal(false);
    expect(statsOn(home.text).mailings).to.equal((before.mailings ?? 0) + 1);
    expect(fromCache(await request(app).get(`/blog/${post.id}`).expect(200))).to.equal(true);
  });

  it('when caching is switched off (CACHE=off), then every page and every number is computed afresh', async () => {
    const uncached = siteWith(new MemoryStore(`test:${unique()}:`), { config: { cacheEnabled: false } });
    const post = await makePost();
    await request(uncached).get(`/blog/${post.id}`).expect(200);
    const again = await request(uncached).get(`/blog/${post.id}`).expect(200);
    expect(fromCache(again)).to.equal(false);
    const counter = queryCounter(testDatabase(), STATS_QUERY);
    try {
      await request(uncached).get('/').expect(200);
      await request(uncached).get('/').expect(200);
      expect(counter.count()).to.equal(2);
    } finally {
      counter.stop();
    }
  });
});
