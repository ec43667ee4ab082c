import { expect } from 'chai';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { MemcachedStore } from '../../../src/cache/memcached-store.js';
import { MemoryStore } from '../../../src/cache/memory-store.js';
import { connect } from '../../../src/db/connection.js';
import { runningService } from '../../../src/health/readiness.js';
import { createLogger } from '../../../src/logger.js';
import { createScratchDatabase } from '../../support/database.js';
import { testConfig, testDatabase } from '../../support/hooks.js';
import { parseDatabaseUrl } from '../../../src/config.js';

const logger = createLogger('silent');

describe('GET /readyz', () => {
  it('when migrated, the database and cache answer and no stop was asked, then it is 200 and never cached', async () => {
    const app = createApp({ config: testConfig(), sequelize: testDatabase(), logger, cache: new MemoryStore('t:') });
    const res = await request(app).get('/readyz').expect(200);
    expect(res.body).to.deep.equal({ status: 'ready' });
    expect(res.headers['cache-control']).to.equal('no-store');
  });

  it('when the process is shutting down, then it is 503 saying so while /healthz stays 200', async () => {
    const service = runningService();
    const app = createApp({ config: testConfig(), sequelize: testDatabase(), logger, service });
    await request(app).get('/readyz').expect(200);
    service.shuttingDown = true;
    const res = await request(app).get('/readyz').expect(503);
    expect(res.body).to.deep.equal({ status: 'not ready', reason: 'shutting down' });
    await request(app).get('/healthz').expect(200);
  });

  it('when the database is gone, then it is 503: database unreachable', async () => {
    const closed = await connect(testConfig().database);
    await closed.close();
    const app = createApp({ config: testConfig(), sequelize: closed, logger });
    const res = await request(app).get('/readyz').expect(503);
    expect(res.body).to.deep.equal({ status: 'not ready', reason: 'database unreachable' });
  });

  it('when migrations are pending, then it is 503 counting them', async () => {
    const scratch = await createScratchDatabase();
    const empty = await connect(parseDatabaseUrl(scratch.url));
    try {
      const app = createApp({ config: testConfig(), sequelize: empty, logger });
      const res = await request(app).get('/readyz').expect(503);
      expect((res.body as { reason: string }).reason).to.match(/^\d+ migration\(s\) pending$/);
    } finally {
      await empty.close();
      await scratch.drop();
    }
  });

  it('when Memcached does not answer, then it is 503: cache unreachable', async () => {
    // A port on this machine where nothing listens: refused at once, nothing leaves the machine.
    const cache = new MemcachedStore({ servers: ['127.0.0.1:1'], prefix: 't:', logger, timeoutSeconds: 0.3 });
    try {
      const app = createApp({ config: testConfig(), sequelize: testDatabase(), logger, cache });
      const res = await request(app).get('/readyz').expect(503);
      expect(res.body).to.deep.equal({ status: 'not ready', reason: 'cache unreachable' });
    } finally {
      await cache.close();
    }
  });

  if (process.env.MEMCACHED_SERVERS) {
    it('when a live Memcached answers, then it is ready', async () => {
      const servers = (process.env.MEMCACHED_SERVERS ?? '').split(',');
      const cache = new MemcachedStore({ servers, prefix: 't:', logger });
      try {
        const app = createApp({ config: testConfig(), sequelize: testDatabase(), logger, cache });
        await request(app).get('/readyz').expect(200);
      } finally {
        await cache.close();
      }
    });
  }
});
