import { expect } from 'chai';
import request from 'supertest';
import { connect } from '../../../src/db/connection.js';
import { createLogger } from '../../../src/logger.js';
import { createApp } from '../../../src/app.js';
import { testConfig, testDatabase } from '../../support/hooks.js';

describe('GET /healthz', () => {
  it('when the database answers, then it is 200 and never cached', async () => {
    const app = createApp({ config: testConfig(), sequelize: testDatabase(), logger: createLogger('silent') });
    const res = await request(app).get('/healthz').expect(200);
    expect(res.body).to.deep.equal({ status: 'ok', database: 'ok' });
    expect(res.headers['cache-control']).to.equal('no-store');
  });

  it('when the database is gone, then it is 503', async () => {
    const config = testConfig();
    const closed = await connect(config.database);
    await closed.close();
    const app = createApp({ config, sequelize: closed, logger: createLogger('silent') });
    const res = await request(app).get('/healthz').expect(503);
    expect(res.body).to.deep.equal({ status: 'unavailable', database: 'down' });
  });

  it('when a path does not exist, then it is 404', async () => {
    const app = createApp({ config: testConfig(), sequelize: testDatabase(), logger: createLogger('silent') });
    await request(app).get('/no-such-page').expect(404);
  });
});
