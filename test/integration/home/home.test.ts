import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { Post } from '../../../src/db/models/index.js';
import { testDatabase } from '../../support/hooks.js';
import { makeClient, makeMailing, makePost, makeUser, unique } from '../../support/factories.js';
import { signedIn, type Browser } from '../../support/web.js';
import { queryCounter, siteWith, STATS_QUERY, statsOn, storeKinds } from '../../support/cache-sites.js';

/** The /blog/:id links on a page. */
function postIdsOn(html: string): number[] {
  return [...html.matchAll(/href="\/blog\/(\d+)"/g)].map((match) => Number(match[1]));
}

describe('the home page', () => {
  const kind = storeKinds()[0];

  it('when an anonymous visitor opens it, then it shows the numbers, up to three published posts and a sign-up call', async () => {
    const app = siteWith(kind!.make());
    await makePost();
    await Post.create({ title: unique('Draft '), content: 'x', authorId: null, isPublished: false, publishedAt: null });
    const page = await request(app).get('/').expect(200);
    expect(page.text).to.contain('href="/register"').and.contain('Sign up free');
    expect(page.text).to.contain('<title>Mailer</title>');
    expect(Object.keys(statsOn(page.text))).to.have.members(['mailings', 'activeMailings', 'uniqueClients']);
    const ids = postIdsOn(page.text);
    expect(ids.length).to.be.within(1, 3);
    const shown = await Post.findAll({ where: { id: ids } });
    expect(shown.every((post) => post.isPublished && post.publishedAt && post.publishedAt <= new Date())).to.equal(
      true,
    );
    expect(page.text).to.contain('href="/blog"');
  });

  it('when a user opens it, then it welcomes them with links to their screens and no sign-up call', async () => {
    const app = siteWith(kind!.make());
    const user = await makeUser({ fullName: 'Ada Customer' });
    const page = await (await signedIn(app, user)).agent.get('/').expect(200);
    expect(page.text).to.contain('Welcome back, Ada Customer');
    for (const screen of ['/clients', '/messages', '/mailings', '/reports'])
      expect(page.text).to.contain(`href="${screen}"`);
    expect(page.text).not.to.contain('Sign up free');
    expect(Object.keys(statsOn(page.text))).to.have.length(3);

    const writer = await signedIn(app, await makeUser({ role: 'content_manager' }));
    const theirs = await writer.agent.get('/').expect(200);
    expect(theirs.text).not.to.contain('href="/clients"');
  });

  it('when the visitor speaks Russian, then the page is in Russian', async () => {
    const app = siteWith(kind!.make());
    const page = await request(app).get('/').set('Accept-Language', 'ru').expect(200);
    expect(page.text).to.contain('Mailer в цифрах').and.contain('Зарегистрироваться');
  });
});

for (const kind of storeKinds()) {
  describe(`the home statistics (${kind.name})`, () => {
    let app: Express;
    let browser: Browser;
    // Signed-in pages are never page-cached, so these read the statistics through the computed-data cache.
    const stats = async () => statsOn((await browser.agent.get('/').expect(200)).text);

    before(async () => {
      app = siteWith(kind.make());
      browser = await signedIn(app, await makeUser());
    });

    it('when the page is shown twice with nothing changed in between, then the statistics are computed once', async () => {
      await stats();
      const counter = queryCounter(testDatabase(), STATS_QUERY);
      try {
        await stats();
        await stats();
        expect(counter.count()).to.equal(0);
      } finally {
        counter.stop();
      }
    });

    it('when a mailing is created, then the total rises by one; when deleted, it falls back', async () => {
      const owner = await makeUser();
      const before = await stats();
      const mailing = await makeMailing(owner);
      expect((await stats()).mailings).to.equal((before.mailings ?? 0) + 1);
      await mailing.destroy();
      expect((await stats()).mailings).to.equal(before.mailings);
    });

    it('when a mailing starts running, then the active count rises by one, and falls when it completes', async () => {
      const mailing = await makeMailing(await makeUser());
      const before = await stats();
      await mailing.update({ status: 'running' });
      expect((await stats()).activeMailings).to.equal((before.activeMailings ?? 0) + 1);
      await mailing.update({ status: 'completed' });
      expect((await stats()).activeMailings).to.equal(before.activeMailings);
    });

    it('when a client is added to a mailing, then unique clients rise by one; a client in no mailing does not count', async () => {
      const owner = await makeUser();
      const mailing = await makeMailing(owner);
      const before = await stats();
      await makeClient(owner);
      expect((await stats()).uniqueClients).to.equal(before.uniqueClients);
      await mailing.setClients([await makeClient(owner)]);
      expect((await stats()).uniqueClients).to.equal((before.uniqueClients ?? 0) + 1);
    });

    it('when two owners mail the same address, then it counts once; when an e-mail changes to a counted one, the count falls', async () => {
      const email = `${unique('shared')}@example.test`;
      const [first, second, third] = [await makeUser(), await makeUser(), await makeUser()];
      const before = await stats();
      await makeMailing(first, { clients: [await makeClient(first, { email })] });
      await makeMailing(second, { clients: [await makeClient(second, { email: email.toUpperCase() })] });
      const other = await makeClient(third);
      await makeMailing(third, { clients: [other] });
      expect((await stats()).uniqueClients).to.equal((before.uniqueClients ?? 0) + 2);
      await other.update({ email: email.replace('shared', 'SHARED') });
      expect((await stats()).uniqueClients).to.equal((before.uniqueClients ?? 0) + 1);
    });
  });
}
