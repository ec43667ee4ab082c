import { expect } from 'chai';
import request from 'supertest';
import { Client, Delivery } from '../../../src/db/models/index.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { cancelRun } from '../../../src/delivery/runs.js';
import { signUnsubscribeToken } from '../../../src/delivery/unsubscribe-token.js';
import { createLogger } from '../../../src/logger.js';
import { createApp } from '../../../src/app.js';
import { mailingWithClients } from '../../support/delivery.js';
import { testConfig, testDatabase } from '../../support/hooks.js';

describe('the unsubscribe link', () => {
  const app = () => createApp({ config: testConfig(), sequelize: testDatabase(), logger: createLogger('silent') });
  const tokenFor = (client: Client) => signUnsubscribeToken(client.id, testConfig().sessionSecret);

  it('when opened, then it asks for confirmation and changes nothing yet', async () => {
    const { clients } = await mailingWithClients(1);
    const client = clients[0] as Client;
    const res = await request(app())
      .get(`/unsubscribe/${tokenFor(client)}`)
      .expect(200);
    expect(res.text).to.contain(client.email).and.to.contain('<form method="post"');
    expect((await Client.findByPk(client.id))?.unsubscribedAt).to.equal(null);
  });

  it('when confirmed (or one-click POSTed by a mail provider), then the client is unsubscribed and its waiting deliveries are dropped', async () => {
    const { mailing, clients } = await mailingWithClients(2);
    const [leaving, staying] = clients as [Client, Client];
    const run = await startRunNow(testDatabase(), mailing.id);

    await request(app())
      .post(`/unsubscribe/${tokenFor(leaving)}`)
      .type('form')
      .send('List-Unsubscribe=One-Click')
      .expect(200);

    expect((await Client.findByPk(leaving.id))?.unsubscribedAt).to.be.instanceOf(Date);
    expect((await Client.findByPk(staying.id))?.unsubscribedAt).to.equal(null);
    const dropped = await Delivery.findOne({ where: { runId: run.id, clientId: leaving.id } });
    expect(dropped).to.deep.include({ status: 'failed', errorClass: 'unsubscribed' });
    expect((await Delivery.findOne({ where: { runId: run.id, clientId: staying.id } }))?.status).to.equal('pending');
    // A second run no longer includes the client.
    await cancelRun(testDatabase(), run.id);
    const second = await startRunNow(testDatabase(), mailing.id, new Date(Date.now() + 5000));
    expect(second.totalCount).to.equal(1);
    expect(await Delivery.count({ where: { runId: second.id, clientId: leaving.id } })).to.equal(0);
  });

  it('when a Russian reader follows the link, then every page is in Russian', async () => {
    const { clients } = await mailingWithClients(1);
    const client = clients[0] as Client;
    const url = `/unsubscribe/${tokenFor(client)}`;
    const asked = await request(app()).get(url).set('Accept-Language', 'ru').expect(200);
    expect(asked.text).to.contain(`Больше не присылать письма от отправителя «Test User» на ${client.email}?`);
    expect(asked.text).to.contain('Отписаться');
    const done = await request(app()).post(url).set('Accept-Language', 'ru').expect(200);
    expect(done.text).to.contain('Вы отписаны').and.not.to.contain('unsubscribed');
    const invalid = await request(app()).get('/unsubscribe/broken').set('Accept-Language', 'ru').expect(404);
    expect(invalid.text).to.contain('Ссылка не работает');
  });

  it('when the token is forged or malformed, then it is a 404 that reveals nothing', async () => {
    const { clients } = await mailingWithClients(1);
    const forged = signUnsubscribeToken((clients[0] as Client).id, 'another-secret');
    for (const token of [forged, 'nonsense']) {
      const res = await request(app()).post(`/unsubscribe/${token}`).expect(404);
      expect(res.text).to.contain('This link does not work');
    }
    expect((await Client.findByPk((clients[0] as Client).id))?.unsubscribedAt).to.equal(null);
  });

  it('when a name contains markup, then the page escapes it', async () => {
    const { clients } = await mailingWithClients(1);
    const client = clients[0] as Client;
    await client.update({ email: `x"><script>alert(1)</script>${client.email}` }, { validate: false });
    const res = await request(app())
      .get(`/unsubscribe/${tokenFor(client)}`)
      .expect(200);
    expect(res.text).not.to.contain('<script>alert(1)</script>');
    expect(res.text).to.contain('&lt;script&gt;');
  });
});
