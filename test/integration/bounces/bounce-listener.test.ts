import { expect } from 'chai';
import nodemailer from 'nodemailer';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startBounceListener, type BounceListener } from '../../../src/bounces/bounce-listener.js';
import type { BounceSettings } from '../../../src/bounce-config.js';
import type { Config } from '../../../src/config.js';
import { Delivery, Suppression } from '../../../src/db/models/index.js';
import { bounceAddressOf, deliveryOfBounceAddress } from '../../../src/delivery/verp.js';
import { createLogger } from '../../../src/logger.js';
import { deliveryConfig, mailingWithClients, sendNow } from '../../support/delivery.js';
import { testDatabase } from '../../support/hooks.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';

const DOMAIN = 'bounce.example.com';

function bounceSettings(): BounceSettings {
  return {
    domain: DOMAIN,
    secret: 'test-bounce-secret-0123456789abcdef',
    smtpHost: '127.0.0.1',
    smtpPort: 0,
    listenInServe: false,
    softLimit: 2,
    pauseBounceRate: 0.05,
    pauseComplaintRate: 0.003,
    minSample: 100,
    mailgunSigningKey: null,
    complaintMinSample: 1000,
    snsTopics: [],
  };
}

function withBounces(config: Config): Config {
  return { ...config, bounces: bounceSettings() };
}

function dsn(recipient: string, action: string, status: string): string {
  return [
    'From: MAILER-DAEMON@mx.example.net',
    'Subject: Undelivered Mail Returned to Sender',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    '',
    '--B',
    'Content-Type: text/plain',
    '',
    'This is the mail system.',
    '',
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.net',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    `Action: ${action}`,
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${status.startsWith('5') ? 550 : 451} ${status} <${recipient}>:`,
    ' mailbox trouble',
    '',
    '--B--',
    '',
  ].join('\r\n');
}

function arf(recipient: string): string {
  return [
    'From: fbl@isp.example.net',
    'Subject: Abuse report',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="F"',
    '',
    '--F',
    'Content-Type: text/plain',
    '',
    'A complaint about a message from you.',
    '',
    '--F',
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: ExampleFBL/1.0',
    'Version: 1',
    `Original-Rcpt-To: <${recipient}>`,
    '',
    '--F',
    'Content-Type: message/rfc822',
    '',
    'From: someone@example.org',
    'Subject: hi',
    '',
    'hi',
    '--F--',
    '',
  ].join('\r\n');
}

describe('bounces: the inbound SMTP listener, the VERP sender and the suppression list', function () {
  this.timeout(60_000);
  let listener: BounceListener;
  let smtp: SmtpTestServer;
  const settings = bounceSettings();

  before(async () => {
    listener = await startBounceListener(testDatabase(), settings, createLogger('silent'));
    smtp = await SmtpTestServer.start();
  });
  after(async () => {
    await listener.close();
    await smtp.stop();
  });

  /** Sends raw mail to the listener over SMTP, as a remote server returning a bounce would. */
  async function deliverToListener(to: string, raw: string): Promise<void> {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: listener.port,
      secure: false,
      ignoreTLS: true,
    });
    try {
      await transport.sendMail({ envelope: { from: '', to: [to] }, raw });
    } finally {
      transport.close();
    }
  }

  it('signs the envelope sender per delivery and refuses a forged or foreign one', () => {
    const address = bounceAddressOf(42, settings) as string;
    expect(address).to.match(/^bounces\+42\.[a-z0-9]{16}@bounce\.example\.com$/);
    expect(deliveryOfBounceAddress(address.toUpperCase(), settings)).to.equal(42);
    expect(deliveryOfBounceAddress(address.replace('+42.', '+43.'), settings)).to.equal(null);
    expect(deliveryOfBounceAddress(address.replace('bounce.example.com', 'other.example.com'), settings)).to.equal(
      null,
    );
    expect(bounceAddressOf(42, { domain: null, secret: 'x' })).to.equal(null);
  });

  it('writes the VERP address as the Return-Path of each outbox .eml', async () => {
    const { mailing } = await mailingWithClients(1);
    const config = withBounces(deliveryConfig(null));
    const { deliveries } = await sendNow(config, mailing.id);
    const [file] = readdirSync(config.outboxDir);
    const eml = readFileSync(path.join(config.outboxDir, file as string), 'utf8');
    expect(eml.split('\r\n')[0]).to.equal(`Return-Path: <${bounceAddressOf(deliveries[0]?.id ?? 0, settings)}>`);
  });

  it('when hard, soft, delayed bounces and a complaint come back, then deliveries are marked and addresses suppressed', async () => {
    const { owner, clients, mailing } = await mailingWithClients(4);
    const { deliveries } = await sendNow(withBounces(deliveryConfig(smtp.url)), mailing.id);
    const [hard, soft, delayed, complaint] = deliveries as [Delivery, Delivery, Delivery, Delivery];
    const vaddr = (d: Delivery) => bounceAddressOf(d.id, settings) as string;
    await deliverToListener(vaddr(hard), dsn(hard.email, 'failed', '5.1.1'));
    await deliverToListener(vaddr(soft), dsn(soft.email, 'failed', '4.2.2'));
    await deliverToListener(vaddr(delayed), dsn(delayed.email, 'delayed', '4.4.7'));
    await deliverToListener(vaddr(complaint), arf(complaint.email));
    // Not a bounce at all: accepted (never bounce a bounce) and dropped.
    await deliverToListener(vaddr(delayed), 'Subject: hello\r\n\r\njust saying hi\r\n');

    const after = await Delivery.findAll({ where: { runId: hard.runId }, order: [['id', 'ASC']] });
    expect(after.map((d) => d.status)).to.deep.equal(['bounced', 'sent', 'sent', 'complained']);
    expect(after[0]?.feedback).to.match(/^listener: 5\.1\.1 .*mailbox trouble/);
    expect(after[1]?.feedback).to.match(/4\.2\.2/);
    expect(after[2]?.feedback).to.match(/4\.4\.7/);
    const listed = await Suppression.findAll({ where: { ownerId: owner.id }, order: [['address', 'ASC']] });
    expect(listed.map((s) => [s.address, s.reason]).sort()).to.deep.equal(
      [
        [hard.email, 'hard_bounce'],
        [complaint.email, 'complaint'],
      ].sort(),
    );
    // The next run leaves the suppressed addresses out: logged, never mailed.
    await new Promise((resolve) => setTimeout(resolve, 1100)); // one run per mailing and second
    const before = smtp.received.length;
    const next = await sendNow(withBounces(deliveryConfig(smtp.url)), mailing.id);
    const suppressed = next.deliveries.filter((d) => d.errorClass === 'suppressed').map((d) => d.email);
    expect(suppressed.sort()).to.deep.equal([hard.email, complaint.email].sort());
    expect(smtp.recipientsSince(before)).to.deep.equal([soft.email, delayed.email].sort());
    expect(clients).to.have.length(4);
  });

  it('suppresses after the configured number of soft bounces in a row (one delivery counts once)', async () => {
    const { owner, mailing } = await mailingWithClients(1);
    const first = await sendNow(withBounces(deliveryConfig(smtp.url)), mailing.id);
    const d1 = first.deliveries[0] as Delivery;
    await deliverToListener(bounceAddressOf(d1.id, settings) as string, dsn(d1.email, 'failed', '4.2.2'));
    await deliverToListener(bounceAddressOf(d1.id, settings) as string, dsn(d1.email, 'failed', '4.2.2'));
    expect(await Suppression.count({ where: { ownerId: owner.id } })).to.equal(0);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // one run per mailing and second
    const second = await sendNow(withBounces(deliveryConfig(smtp.url)), mailing.id);
    const d2 = second.deliveries[0] as Delivery;
    await deliverToListener(bounceAddressOf(d2.id, settings) as string, dsn(d2.email, 'failed', '5.2.2'));
    const [entry] = await Suppression.findAll({ where: { ownerId: owner.id } });
    expect(entry?.reason).to.equal('soft_bounces');
  });

  it('refuses RCPT for a forged MAC or another domain', async () => {
    const forged = `bounces+1.${'a'.repeat(16)}@${DOMAIN}`;
    for (const to of [forged, 'postmaster@example.com']) {
      const error = await deliverToListener(to, dsn('x@example.net', 'failed', '5.1.1')).then(
        () => null,
        (err: unknown) => err as { responseCode?: number },
      );
      expect(error?.responseCode).to.equal(550);
    }
  });

  it('when the server refuses an address with 5.1.1 while sending, then the address is suppressed', async () => {
    await smtp.setMode('rcpt-error 550 5.1.1');
    try {
      const { owner, mailing } = await mailingWithClients(1);
      const { deliveries } = await sendNow(withBounces(deliveryConfig(smtp.url)), mailing.id);
      expect(deliveries[0]?.status).to.equal('failed');
      let entry: Suppression | null = null;
      for (let i = 0; i < 50 && !entry; i += 1) {
        entry = await Suppression.findOne({ where: { ownerId: owner.id } });
        if (!entry) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(entry).to.include({ address: deliveries[0]?.email, reason: 'hard_bounce', source: 'smtp' });
    } finally {
      await smtp.setMode('accept');
    }
  });

  it('when the server refuses with a plain 550 (no 5.1.x), then nothing is suppressed', async () => {
    await smtp.setMode('rcpt-error 550');
    try {
      const { owner, mailing } = await mailingWithClients(1);
      await sendNow(withBounces(deliveryConfig(smtp.url)), mailing.id);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await Suppression.count({ where: { ownerId: owner.id } })).to.equal(0);
    } finally {
      await smtp.setMode('accept');
    }
  });
});
