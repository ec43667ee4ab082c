import { expect } from 'chai';
import request from 'supertest';
import { createApp } from '../../../src/app.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { workUntilEnded } from '../../../src/delivery/foreground.js';
import { RunWorker } from '../../../src/delivery/run-worker.js';
import { createMailTransport } from '../../../src/delivery/transports.js';
import { capturedLogger } from '../../support/captured-logger.js';
import { deliveryConfig, mailingWithClients } from '../../support/delivery.js';
import { testConfig, testDatabase } from '../../support/hooks.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('request ids and run ids in the logs', () => {
  it('when a request brings a valid X-Request-Id, then it is echoed and carried by the request log line', async () => {
    const log = capturedLogger();
    const app = createApp({ config: testConfig(), sequelize: testDatabase(), logger: log.logger });
    const res = await request(app).get('/login').set('X-Request-Id', 'edge-4f1c2a9b.17').expect(200);
    expect(res.headers['x-request-id']).to.equal('edge-4f1c2a9b.17');
    const line = log.records.find((record) => record.msg === 'request' && record.url === '/login');
    expect(line).to.include({ reqId: 'edge-4f1c2a9b.17', method: 'GET', route: '/login', status: 200 });
  });

  it('when a request brings none, or one that is not an id, then a new UUID is given, different each time', async () => {
    const log = capturedLogger();
    const app = createApp({ config: testConfig(), sequelize: testDatabase(), logger: log.logger });
    const bare = await request(app).get('/healthz').expect(200);
    const forged = await request(app).get('/healthz').set('X-Request-Id', 'x"}{ injected \\n').expect(200);
    const long = await request(app).get('/healthz').set('X-Request-Id', 'a'.repeat(129)).expect(200);
    const ids = [bare, forged, long].map((res) => String(res.headers['x-request-id']));
    for (const id of ids) expect(id).to.match(UUID);
    expect(new Set(ids).size).to.equal(3);
    const logged = log.records.filter((record) => record.msg === 'request').map((record) => record.reqId);
    expect(logged).to.deep.equal(ids);
  });

  it('when the worker sends a run, then every line it logs about the run carries the run id', async () => {
    const config = deliveryConfig(null);
    const log = capturedLogger('debug');
    const { mailing } = await mailingWithClients(3);
    const run = await startRunNow(testDatabase(), mailing.id);
    const transport = createMailTransport(config, testDatabase());
    const worker = new RunWorker({ sequelize: testDatabase(), config, transport, logger: log.logger });
    try {
      expect(await workUntilEnded(worker, run.id, { deadline: Date.now() + 20_000 })).to.deep.equal({
        state: 'finished',
      });
    } finally {
      worker.stop();
      transport.close();
    }
    const sent = log.records.filter((record) => record.msg === 'sent');
    expect(sent).to.have.length(3);
    expect(sent.every((record) => record.runId === run.id)).to.equal(true);
    expect(log.records.find((record) => record.msg === 'run finished')).to.include({ runId: run.id });
  });
});
