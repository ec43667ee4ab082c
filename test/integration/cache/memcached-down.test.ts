import { expect } from 'chai';
import request from 'supertest';
import { MemcachedStore } from '../../../src/cache/memcached-store.js';
import { makePost, makeUser } from '../../support/factories.js';
import { signedIn } from '../../support/web.js';
import { capturingLogger, closedPort, siteWith, statsOn, WARN } from '../../support/cache-sites.js';

describe('the site when Memcached is down', () => {
  it('when Memcached cannot be reached, then pages still answer, with fresh numbers, and one warning is logged', async () => {
    const { logger, lines } = capturingLogger();
    const store = new MemcachedStore({ servers: [`127.0.0.1:${await closedPort()}`], prefix: 'down:', logger });
    const app = siteWith(store, { logger });
    const post = await makePost();
    const browser = await signedIn(app, await makeUser());

    const started = Date.now();
    for (const language of ['en', 'ru']) await request(app).get('/').set('Accept-Language', language).expect(200);
    const before = statsOn((await browser.agent.get('/').expect(200)).text);
    await request(app).get('/blog').expect(200);
    await request(app).get(`/blog/${post.id}`).expect(200);
    expect(Date.now() - started).to.be.lessThan(5_000);
    expect(Object.keys(before)).to.have.length(3);

    const warnings = lines.filter((line) => line.level === WARN);
    expect(warnings).to.have.length(1);
    expect(warnings[0]?.msg).to.match(/memcached is unreachable/);
    await store.close();
  });
});
