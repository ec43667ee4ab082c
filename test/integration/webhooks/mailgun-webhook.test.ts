import { createHmac, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import type { BounceSettings } from '../../../src/bounce-config.js';
import { Suppression, type Delivery } from '../../../src/db/models/index.js';
import { bounceAddressOf } from '../../../src/delivery/verp.js';
import { deliveryConfig, mailingWithClients, sendNow, suppressedInNextRun } from '../../support/delivery.js';
import { testConfig, testDatabase } from '../../support/hooks.js';
import { routesOf } from '../../support/routes.js';
import { testSite } from '../../support/web.js';

const SIGNING_KEY = 'key-0123456789abcdef0123456789abcdef';

function settings(overrides: Partial<BounceSettings> = {}): BounceSettings {
  return {
    ...testConfig().bounces,
    domain: 'bounce.example.com',
    secret: 'test-bounce-secret-0123456789abcdef',
    mailgunSigningKey: SIGNING_KEY,
    ...overrides,
  };
}

/** A call as Mailgun makes it: the event, and a signature over a fresh timestamp and token. */
function mailgunCall(
  eventData: Record<string, unknown>,
  options: { key?: string; timestamp?: number; token?: string } = {},
): Record<string, unknown> {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const token = options.token ?? randomBytes(25).toString('hex');
  const signature = createHmac('sha256', options.key ?? SIGNING_KEY)
    .update(timestamp + token)
    .digest('hex');
  return { signature: { timestamp, token, signature }, 'event-data': eventData };
}

function failedEvent(delivery: Delivery, severity: 'permanent' | 'temporary'): Record<string, unknown> {
  return {
    event: 'failed',
    severity,
    reason: severity === 'permanent' ? 'bounce' : 'generic',
    recipient: delivery.email,
    envelope: { sender: bounceAddressOf(delivery.id, settings()), targets: delivery.email },
    message: { headers: { 'message-id': `run${delivery.runId}.d${delivery.id}.a1@example.test` } },
    'delivery-status': {
      code: severity === 'permanent' ? 550 : 452,
      message: severity === 'permanent' ? '5.1.1 The email account does not exist' : '4.2.2 Mailbox over quota',
      description: '',
    },
  };
}

describe('the Mailgun webhook', function () {
  this.timeout(60_000);
  let app: Express;

  beforeEach(() => {
    app = testSite({ bounces: settings() }).app;
  });

  const post = (body: Record<string, unknown> | string) =>
    request(app)
      .post('/webhooks/mailgun')
      .set('Content-Type', 'application/json')
      .send(typeof body === 'string' ? body : JSON.stringify(body));

  async function sentDeliveries(count: number) {
    const sent = await mailingWithClients(count);
    const { deliveries } = await sendNow({ ...deliveryConfig(null), bounces: settings() }, sent.mailing.id);
    return { ...sent, deliveries };
  }

  it('declares the route public and signed', () => {
    expect(routesOf(app).find((entry) => entry.path === '/webhooks/mailgun')?.access).to.equal('public:signed');
  });

  it('when a signed permanent failure comes, then the delivery is bounced, suppressed and left out of the next run', async () => {
    const { owner, mailing, deliveries } = await sentDeliveries(2);
    const [bounced, kept] = deliveries as [Delivery, Delivery];
    const res = await post(mailgunCall(failedEvent(bounced, 'permanent')));
    expect([res.status, res.text]).to.deep.equal([200, 'recorded']);
    await bounced.reload();
    expect(bounced.status).to.equal('bounced');
    expect(bounced.feedback).to.equal('mailgun: 5.1.1 550 5.1.1 The email account does not exist');
    expect((await kept.reload()).status).to.equal('sent');
    const entries = await Suppression.findAll({ where: { ownerId: owner.id } });
    expect(entries.map((s) => [s.address, s.reason, s.source])).to.deep.equal([
      [bounced.email, 'hard_bounce', 'mailgun'],
    ]);
    expect(await suppressedInNextRun(mailing.id)).to.deep.equal([bounced.email]);
  });

  it('when a complaint comes (named by Message-ID only), then the delivery is complained and suppressed', async () => {
    const { owner, deliveries } = await sentDeliveries(1);
    const delivery = deliveries[0] as Delivery;
    const event = { ...failedEvent(delivery, 'permanent'), event: 'complained', envelope: null };
    const res = await post(mailgunCall(event));
    expect(res.status).to.equal(200);
    expect((await delivery.reload()).status).to.equal('complained');
    expect(await Suppression.findOne({ where: { ownerId: owner.id } })).to.include({ reason: 'complaint' });
  });

  it('when a temporary failure comes, then it is counted as a soft bounce, not suppressed', async () => {
    const { owner, deliveries } = await sentDeliveries(1);
    const delivery = deliveries[0] as Delivery;
    expect((await post(mailgunCall(failedEvent(delivery, 'temporary')))).status).to.equal(200);
    await delivery.reload();
    expect([delivery.status, delivery.feedback]).to.deep.equal(['sent', 'mailgun: 4.2.2 452 4.2.2 Mailbox over quota']);
    const [rows] = await testDatabase().query('SELECT count FROM soft_bounces WHERE owner_id = :ownerId', {
      replacements: { ownerId: owner.id },
    });
    expect((rows as Array<{ count: number | string }>).map((row) => Number(row.count))).to.deep.equal([1]);
    expect(await Suppression.count({ where: { ownerId: owner.id } })).to.equal(0);
  });

  it('when the signature is wrong, then the call is refused and nothing changes', async () => {
    const { deliveries } = await sentDeliveries(1);
    const delivery = deliveries[0] as Delivery;
    const wrongKey = await post(mailgunCall(failedEvent(delivery, 'permanent'), { key: 'key-of-somebody-else-0000' }));
    expect([wrongKey.status, wrongKey.text]).to.deep.equal([403, 'bad_signature']);
    const call = mailgunCall(failedEvent(delivery, 'temporary'));
    // A signature taken from a genuine call does not cover another token.
    const swapped = { ...call, signature: { ...(call.signature as object), token: 'x'.repeat(50) } };
    expect((await post(swapped)).status).to.equal(403);
    expect((await delivery.reload()).status).to.equal('sent');
  });

  it('when a call is replayed, or its timestamp is old, then it is refused with 406 (Mailgun does not retry)', async () => {
    const { deliveries } = await sentDeliveries(2);
    const [first, second] = deliveries as [Delivery, Delivery];
    const call = mailgunCall(failedEvent(first, 'temporary'));
    expect((await post(call)).status).to.equal(200);
    const replay = await post({ ...call, 'event-data': failedEvent(second, 'permanent') });
    expect([replay.status, replay.text]).to.deep.equal([406, 'replayed']);
    const old = await post(
      mailgunCall(failedEvent(second, 'permanent'), { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
    );
    expect([old.status, old.text]).to.deep.equal([406, 'stale']);
    expect((await second.reload()).status).to.equal('sent');
  });

  it('refuses malformed and unknown calls with 400, takes known events it has nothing to do with', async () => {
    for (const body of ['{"signature": ', '', '[]', JSON.stringify({ 'event-data': { event: 'failed' } })]) {
      const res = await post(body);
      expect([body, res.status]).to.deep.equal([body, 400]);
    }
    expect((await post(mailgunCall({ event: 'teleported' }))).status).to.equal(400);
    expect((await post(mailgunCall({ event: 'failed', severity: 'permanent' }))).status).to.equal(400);
    const delivered = await post(mailgunCall({ event: 'delivered', recipient: 'a@example.test' }));
    expect([delivered.status, delivered.text]).to.deep.equal([200, 'ignored']);
  });

  it('does not exist without a signing key', async () => {
    const off = testSite({ bounces: settings({ mailgunSigningKey: null }) }).app;
    expect((await request(off).post('/webhooks/mailgun').send({})).status).to.equal(404);
  });
});
