import { expect } from 'chai';
import request from 'supertest';
import type { Express } from 'express';
import type { BounceSettings } from '../../../src/bounce-config.js';
import type { Delivery } from '../../../src/db/models/index.js';
import { Suppression } from '../../../src/db/models/index.js';
import { bounceAddressOf } from '../../../src/delivery/verp.js';
import { routesOf } from '../../support/routes.js';
import { deliveryConfig, mailingWithClients, sendNow, suppressedInNextRun } from '../../support/delivery.js';
import { testConfig, testDatabase } from '../../support/hooks.js';
import {
  fakeSns,
  makeSnsSigner,
  restoreSns,
  signSnsMessage,
  type FakeSns,
  type SnsFields,
} from '../../support/sns-signing.js';
import { testSite } from '../../support/web.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:mailer-feedback';
const CERT_URL = 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem';
const SUBSCRIBE_URL = `https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=t0k3n`;

function settings(overrides: Partial<BounceSettings> = {}): BounceSettings {
  return {
    ...testConfig().bounces,
    domain: 'bounce.example.com',
    secret: 'test-bounce-secret-0123456789abcdef',
    snsTopics: [TOPIC],
    ...overrides,
  };
}

let sequence = 0;

/** An SES notification (the SNS message's text) about one sent delivery. */
function sesMessage(kind: 'Bounce' | 'Complaint', delivery: Delivery, extra: Record<string, unknown> = {}): string {
  const recipient = { emailAddress: delivery.email, status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' };
  return JSON.stringify({
    notificationType: kind,
    mail: { source: bounceAddressOf(delivery.id, settings()), messageId: '0100018f-ses-own-id', ...extra },
    ...(kind === 'Bounce'
      ? { bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [recipient] } }
      : { complaint: { complainedRecipients: [{ emailAddress: delivery.email }], complaintFeedbackType: 'abuse' } }),
  });
}

function notification(message: string, overrides: Record<string, string> = {}): SnsFields {
  sequence += 1;
  return {
    Type: 'Notification',
    MessageId: `00000000-0000-0000-0000-${String(sequence).padStart(12, '0')}`,
    TopicArn: TOPIC,
    Message: message,
    Timestamp: new Date().toISOString(),
    ...overrides,
  };
}

describe('the SES webhook (SNS)', function () {
  this.timeout(60_000);
  const signer = makeSnsSigner();
  let sns: FakeSns;
  let app: Express;

  beforeEach(() => {
    sns = fakeSns();
    sns.answers.set(CERT_URL, signer.certificatePem);
    app = testSite({ bounces: settings() }).app;
  });
  afterEach(() => restoreSns());

  function post(body: Record<string, string> | string, type = 'Notification') {
    return request(app)
      .post('/webhooks/ses')
      .set('Content-Type', 'text/plain; charset=UTF-8')
      .set('x-amz-sns-message-type', type)
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  }

  async function sentDeliveries(count: number) {
    const sent = await mailingWithClients(count);
    const { deliveries } = await sendNow({ ...deliveryConfig(null), bounces: settings() }, sent.mailing.id);
    return { ...sent, deliveries };
  }

  it('declares the route public and signed, so it is exempt from the origin check on purpose', () => {
    const route = routesOf(app).find((entry) => entry.path === '/webhooks/ses');
    expect(route?.access).to.equal('public:signed');
  });

  it('when a signed confirmation for a configured topic comes, then its SubscribeURL is fetched; another topic is refused', async () => {
    const confirmation = {
      Type: 'SubscriptionConfirmation',
      MessageId: 'c0nf1rm',
      Token: 't0k3n',
      TopicArn: TOPIC,
      Message: `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: SUBSCRIBE_URL,
      Timestamp: new Date().toISOString(),
    };
    sns.answers.set(SUBSCRIBE_URL, '<ConfirmSubscriptionResponse/>');
    const res = await post(
      signSnsMessage(confirmation, signer, { certUrl: CERT_URL, version: '1' }),
      confirmation.Type,
    );
    expect([res.status, res.text]).to.deep.equal([200, 'subscribed']);
    expect(sns.fetched).to.deep.equal([CERT_URL, SUBSCRIBE_URL]);

    sns.fetched.length = 0;
    const other = { ...confirmation, TopicArn: 'arn:aws:sns:eu-west-1:999999999999:someone-else' };
    const refused = await post(signSnsMessage(other, signer, { certUrl: CERT_URL }), other.Type);
    expect([refused.status, refused.text]).to.deep.equal([403, 'unknown_topic']);
    expect(sns.fetched, 'nothing fetched for a topic not ours').to.deep.equal([]);
  });

  it('when a signed permanent bounce comes, then the delivery is bounced, the address suppressed and left out of the next run', async () => {
    const { owner, mailing, deliveries } = await sentDeliveries(2);
    const [bounced, kept] = deliveries as [Delivery, Delivery];
    const res = await post(signSnsMessage(notification(sesMessage('Bounce', bounced)), signer, { certUrl: CERT_URL }));
    expect([res.status, res.text]).to.deep.equal([200, 'recorded']);
    await bounced.reload();
    expect(bounced.status).to.equal('bounced');
    expect(bounced.feedback).to.equal('ses: 5.1.1 smtp; 550 5.1.1 user unknown');
    expect((await kept.reload()).status).to.equal('sent');
    const entries = await Suppression.findAll({ where: { ownerId: owner.id } });
    expect(entries.map((s) => [s.address, s.reason, s.source, s.deliveryId])).to.deep.equal([
      [bounced.email, 'hard_bounce', 'ses', bounced.id],
    ]);
    expect(await suppressedInNextRun(mailing.id)).to.deep.equal([bounced.email]);
  });

  it('when a complaint names the delivery by our Message-ID only (no VERP sender), then it is recorded', async () => {
    const { owner, deliveries } = await sentDeliveries(1);
    const delivery = deliveries[0] as Delivery;
    const messageId = `<run${delivery.runId}.d${delivery.id}.a1@example.test>`;
    const message = JSON.parse(sesMessage('Complaint', delivery)) as { mail: Record<string, unknown> };
    message.mail = { source: 'news@example.test', commonHeaders: { messageId } };
    const res = await post(
      signSnsMessage(notification(JSON.stringify(message), { Subject: 'Amazon SES complaint' }), signer, {
        certUrl: CERT_URL,
      }),
    );
    expect(res.status).to.equal(200);
    expect((await delivery.reload()).status).to.equal('complained');
    expect(await Suppression.findOne({ where: { ownerId: owner.id } })).to.include({ reason: 'complaint' });
  });

  it('when a Message-ID names another run, or the recipient is not the delivery’s, then nothing is recorded', async () => {
    const { owner, deliveries } = await sentDeliveries(1);
    const delivery = deliveries[0] as Delivery;
    const forged = [
      {
        source: 'news@example.test',
        commonHeaders: { messageId: `<run${delivery.runId + 1}.d${delivery.id}.a1@x.test>` },
      },
      { source: bounceAddressOf(delivery.id, settings()), recipient: 'someone.else@example.net' },
    ];
    for (const { recipient, ...mail } of forged) {
      const message = JSON.parse(sesMessage('Bounce', delivery)) as Record<string, Record<string, unknown>>;
      message.mail = mail;
      if (recipient) (message.bounce?.bouncedRecipients as Array<Record<string, string>>)[0]!.emailAddress = recipient;
      const res = await post(signSnsMessage(notification(JSON.stringify(message)), signer, { certUrl: CERT_URL }));
      expect(res.status).to.equal(200);
    }
    expect((await delivery.reload()).status).to.equal('sent');
    expect(await Suppression.count({ where: { ownerId: owner.id } })).to.equal(0);
  });

  it('when a transient bounce comes, then it is counted, not suppressed', async () => {
    const { owner, deliveries } = await sentDeliveries(1);
    const delivery = deliveries[0] as Delivery;
    const message = JSON.parse(sesMessage('Bounce', delivery)) as { bounce: Record<string, unknown> };
    message.bounce.bounceType = 'Transient';
    message.bounce.bouncedRecipients = [{ emailAddress: delivery.email.toUpperCase(), status: '4.2.2' }];
    const res = await post(signSnsMessage(notification(JSON.stringify(message)), signer, { certUrl: CERT_URL }));
    expect(res.status).to.equal(200);
    await delivery.reload();
    expect([delivery.status, delivery.feedback]).to.deep.equal(['sent', 'ses: 4.2.2']);
    const [counted] = await testDatabase().query('SELECT count FROM soft_bounces WHERE owner_id = :ownerId', {
      replacements: { ownerId: owner.id },
    });
    expect((counted as Array<{ count: number | string }>).map((row) => Number(row.count))).to.deep.equal([1]);
    expect(await Suppression.count({ where: { ownerId: owner.id } })).to.equal(0);
  });

  it('when the signature does not match the message, then it is refused and nothing changes', async () => {
    const { deliveries } = await sentDeliveries(1);
    const delivery = deliveries[0] as Delivery;
    const signed = signSnsMessage(notification(sesMessage('Complaint', delivery)), signer, { certUrl: CERT_URL });
    const tampered = { ...signed, Message: sesMessage('Bounce', delivery) };
    const res = await post(tampered);
    expect([res.status, res.text]).to.deep.equal([403, 'bad_signature']);
    const otherKey = signSnsMessage(notification(sesMessage('Bounce', delivery)), makeSnsSigner(), {
      certUrl: CERT_URL,
    });
    expect((await post(otherKey)).status).to.equal(403);
    expect((await delivery.reload()).status).to.equal('sent');
  });

  it('when the certificate URL is not an SNS endpoint over HTTPS, then it is refused without fetching it', async () => {
    const { deliveries } = await sentDeliveries(1);
    const delivery = deliveries[0] as Delivery;
    const elsewhere = [
      'https://sns.eu-west-1.amazonaws.com.attacker.example/cert.pem',
      'http://sns.eu-west-1.amazonaws.com/cert.pem',
      'https://attacker.example/sns.eu-west-1.amazonaws.com/cert.pem',
      'https://sns.eu-west-1.amazonaws.com:8443/cert.pem',
      'https://user@sns.eu-west-1.amazonaws.com/cert.pem',
      'https://sns.eu-west-1.amazonaws.com/cert.txt',
    ];
    for (const certUrl of elsewhere) {
      // The attacker's own key and certificate, at the address the message names.
      const attacker = makeSnsSigner();
      sns.answers.set(certUrl, attacker.certificatePem);
      const res = await post(signSnsMessage(notification(sesMessage('Bounce', delivery)), attacker, { certUrl }));
      expect([certUrl, res.status, res.text]).to.deep.equal([certUrl, 403, 'bad_cert_url']);
    }
    expect(sns.fetched).to.deep.equal([]);
    expect((await delivery.reload()).status).to.equal('sent');
  });

  it('fetches a certificate once, and answers 503 (SNS retries) when it cannot be fetched', async () => {
    const { deliveries } = await sentDeliveries(2);
    for (const delivery of deliveries)
      expect(
        (await post(signSnsMessage(notification(sesMessage('Bounce', delivery)), signer, { certUrl: CERT_URL })))
          .status,
      ).to.equal(200);
    expect(sns.fetched).to.deep.equal([CERT_URL]);
    const missing = CERT_URL.replace('.pem', '-gone.pem');
    const res = await post(signSnsMessage(notification('{}'), signer, { certUrl: missing }));
    expect(res.status).to.equal(503);
  });

  it('refuses malformed calls with 400 and never a 500', async () => {
    const signedJunk = signSnsMessage(notification('not json'), signer, { certUrl: CERT_URL });
    const cases: Array<[string | Record<string, string>, string, number]> = [
      ['{"Type": "Notification", ', 'Notification', 400],
      ['', 'Notification', 400],
      [JSON.stringify({ hello: 'world' }), 'Notification', 400],
      [{ ...signedJunk, Type: 'Telegram' }, 'Telegram', 400],
      [signedJunk, 'SubscriptionConfirmation', 400],
      [signedJunk, 'Notification', 400],
      [
        signSnsMessage(notification('{"notificationType":"Teleport","mail":{}}'), signer, { certUrl: CERT_URL }),
        'Notification',
        400,
      ],
    ];
    for (const [body, type, status] of cases) {
      const res = await post(body, type);
      expect([typeof body === 'string' ? body : body.Message, res.status]).to.deep.equal([
        typeof body === 'string' ? body : body.Message,
        status,
      ]);
    }
    expect((await post('x'.repeat(600_000))).status, 'a body past the limit').to.equal(413);
    const delivered = signSnsMessage(notification('{"notificationType":"Delivery","mail":{}}'), signer, {
      certUrl: CERT_URL,
    });
    expect(await post(delivered).then((res) => [res.status, res.text])).to.deep.equal([200, 'ignored']);
  });

  it('does not exist when no topic is configured', async () => {
    const off = testSite({ bounces: settings({ snsTopics: [] }) }).app;
    const res = await request(off).post('/webhooks/ses').send('{}');
    expect(res.status).to.equal(404);
  });
});
