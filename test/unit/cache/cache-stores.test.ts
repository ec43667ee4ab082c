import { expect } from 'chai';
import { z } from 'zod';
import { ComputedCache } from '../../../src/cache/computed-cache.js';
import { deploymentPrefix } from '../../../src/cache/create-store.js';
import { MemcachedStore } from '../../../src/cache/memcached-store.js';
import { MemoryStore } from '../../../src/cache/memory-store.js';
import { loadConfig } from '../../../src/config.js';
import { capturingLogger, closedPort, MEMCACHED_SERVERS, storeKinds, WARN } from '../../support/cache-sites.js';

const numbers = z.object({ n: z.number() });

for (const kind of storeKinds()) {
  describe(`the cache store (${kind.name})`, () => {
    it('when a value is set, then it reads back equal (as JSON) until deleted', async () => {
      const store = kind.make();
      await store.set('k', { n: 1, list: [1, 2], text: 'é' }, 60);
      expect(await store.get('k')).to.deep.equal({ n: 1, list: [1, 2], text: 'é' });
      await store.delete('k');
      expect(await store.get('k')).to.equal(undefined);
      await store.close();
    });

    it('when two stores have different prefixes, then they do not see each other', async () => {
      const [a, b] = [kind.make(), kind.make()];
      await a.set('same', 1, 60);
      expect(await b.get('same')).to.equal(undefined);
      await Promise.all([a.close(), b.close()]);
    });

    it('when a value is remembered, then the second read does not compute it again', async () => {
      const cache = new ComputedCache(kind.make());
      let computed = 0;
      const compute = () => Promise.resolve({ n: ++computed });
      expect(await cache.remember('r', { ttlSeconds: 60, schema: numbers }, compute)).to.deep.equal({ n: 1 });
      expect(await cache.remember('r', { ttlSeconds: 60, schema: numbers }, compute)).to.deep.equal({ n: 1 });
      expect(computed).to.equal(1);
      await cache.forget('r');
      expect(await cache.remember('r', { ttlSeconds: 60, schema: numbers }, compute)).to.deep.equal({ n: 2 });
      await cache.store.close();
    });

    it('when the key is forgotten while its value is being computed, then that value is not stored', async () => {
      const cache = new ComputedCache(kind.make());
      const stale = await cache.remember('race', { ttlSeconds: 60, schema: numbers }, async () => {
        await cache.forget('race');
        return { n: 1 };
      });
      expect(stale).to.deep.equal({ n: 1 });
      expect(await cache.store.get('race')).to.equal(undefined);
      await cache.store.close();
    });

    it('when the cached value has another shape, then it is computed afresh', async () => {
      const cache = new ComputedCache(kind.make());
      await cache.store.set('shape', { n: 'not a number' }, 60);
      expect(
        await cache.remember('shape', { ttlSeconds: 60, schema: numbers }, () => Promise.resolve({ n: 7 })),
      ).to.deep.equal({ n: 7 });
      expect(await cache.store.get('shape')).to.deep.equal({ n: 7 });
      await cache.store.close();
    });
  });
}

describe('the in-process store', () => {
  it('when the TTL has passed, then the value is gone', async () => {
    let now = 1_000_000;
    const store = new MemoryStore('p:', () => now);
    await store.set('k', 'v', 10);
    now += 9_999;
    expect(await store.get('k')).to.equal('v');
    now += 1;
    expect(await store.get('k')).to.equal(undefined);
  });
});

if (MEMCACHED_SERVERS.length > 0) {
  describe('the Memcached store', () => {
    it('when the TTL has passed, then Memcached no longer has the value', async () => {
      const store = storeKinds()
        .find((kind) => kind.name === 'Memcached')
        ?.make();
      if (!store) throw new Error('no Memcached store');
      await store.set('short', 1, 1);
      expect(await store.get('short')).to.equal(1);
      await new Promise((resolve) => setTimeout(resolve, 2_100));
      expect(await store.get('short')).to.equal(undefined);
      await store.close();
    });
  });
}

describe('the Memcached store when the server is down', () => {
  it('when Memcached is unreachable, then reads miss, writes are skipped, nothing throws and one warning is logged', async () => {
    const { logger, lines } = capturingLogger();
    // No pause after a failure, to show the warning is once per outage even when every call tries the server.
    const store = new MemcachedStore({
      servers: [`127.0.0.1:${await closedPort()}`],
      prefix: 'down:',
      logger,
      pauseAfterFailureMs: 0,
    });
    const started = Date.now();
    for (let i = 0; i < 5; i += 1) {
      expect(await store.get('k')).to.equal(undefined);
      await store.set('k', 1, 60);
      await store.delete('k');
    }
    expect(Date.now() - started).to.be.lessThan(2_000);
    expect(lines.filter((line) => line.level === WARN)).to.have.length(1);
    expect(lines[0]?.msg).to.match(/memcached is unreachable/);
    await store.close();
  });

  it('when a call failed, then the next calls within the pause do not try the server', async () => {
    const { logger } = capturingLogger();
    const store = new MemcachedStore({ servers: [`127.0.0.1:${await closedPort()}`], prefix: 'down:', logger });
    await store.get('k');
    const started = Date.now();
    for (let i = 0; i < 100; i += 1) await store.get('k');
    expect(Date.now() - started).to.be.lessThan(100);
    await store.close();
  });
});

describe('the deployment prefix', () => {
  it('when two deployments use different databases, then their prefixes differ, and credentials are not hashed', () => {
    const a = loadConfig({ DATABASE_URL: 'postgres://u:secret1@db:5432/one' });
    const b = loadConfig({ DATABASE_URL: 'postgres://u:secret2@db:5432/one' });
    const c = loadConfig({ DATABASE_URL: 'postgres://u:secret1@db:5432/two' });
    expect(deploymentPrefix(a)).to.match(/^mailer:[0-9a-f]{8}:$/);
    expect(deploymentPrefix(a)).to.equal(deploymentPrefix(b));
    expect(deploymentPrefix(a)).not.to.equal(deploymentPrefix(c));
  });
});
