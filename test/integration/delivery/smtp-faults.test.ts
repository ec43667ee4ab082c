import { expect } from 'chai';
import { resumeRun } from '../../../src/delivery/runs.js';
import { continueRun, deliveryConfig, mailingWithClients, sendNow } from '../../support/delivery.js';
import { closedPort, SmtpTestServer } from '../../support/smtp-test-process.js';

describe('delivery against a misbehaving SMTP server (a real server process)', function () {
  this.timeout(60_000);
  let smtp: SmtpTestServer;

  before(async () => {
    smtp = await SmtpTestServer.start();
  });
  after(async () => {
    await smtp.stop();
  });

  it('when the server accepts, then every delivery is sent once with the server reply stored', async () => {
    await smtp.setMode('accept');
    const { mailing, clients } = await mailingWithClients(5);
    const before = smtp.received.length;
    const { progress, run, deliveries } = await sendNow(deliveryConfig(smtp.url), mailing.id);
    expect(progress.state).to.equal('finished');
    expect(run).to.deep.include({ state: 'finished', totalCount: 5, sentCount: 5, failedCount: 0, unknownCount: 0 });
    for (const d of deliveries) {
      expect(d.status).to.equal('sent');
      expect(d.attemptCount).to.equal(1);
      expect(d.smtpResponse).to.match(/^250 2\.0\.0 Ok: queued as TEST\d+$/);
      expect(d.lastAttemptAt).to.be.instanceOf(Date);
      expect(d.sentAt).to.be.instanceOf(Date);
    }
    const got = smtp.received
      .slice(before)
      .map((m) => m.to)
      .sort();
    expect(got).to.deep.equal(clients.map((c) => c.email).sort());
  });

  it('when the server is slow but within the timeout, then mail is sent', async () => {
    await smtp.setMode('delay 300');
    const { mailing } = await mailingWithClients(2);
    const { run } = await sendNow(deliveryConfig(smtp.url), mailing.id);
    expect(run.sentCount).to.equal(2);
  });

  const temporaryFaults: [string, RegExp, string][] = [
    ['rcpt-error 451', /^451 /, 'smtp_4xx'],
    ['rcpt-error 452', /^452 /, 'smtp_4xx'],
    ['data-error 451', /^451 /, 'smtp_4xx'],
    ['rcpt-error 421', /^421 /, 'smtp_4xx'],
    ['hang-data', /timeout/i, 'timeout'],
    ['no-greet', /Greeting never received/i, 'timeout'],
    ['garbage', /HELLO THERE, THIS IS NOT SMTP/, 'protocol'],
    ['drop', /Connection closed|maximum number of retries/i, 'connection'],
  ];
  for (const [mode, reply, errorClass] of temporaryFaults) {
    it(`when the server answers "${mode}", then each delivery is retried up to the limit and fails with the reply stored`, async () => {
      await smtp.setMode(mode);
      const { mailing } = await mailingWithClients(2);
      const before = smtp.received.length;
      const { progress, run, deliveries, elapsedMs } = await sendNow(deliveryConfig(smtp.url), mailing.id);
      expect(progress.state).to.equal('finished');
      expect(run).to.deep.include({ state: 'finished', sentCount: 0, failedCount: 2 });
      for (const d of deliveries) {
        expect(d.status).to.equal('failed');
        expect(d.attemptCount).to.equal(3);
        expect(d.errorClass).to.equal(errorClass);
        expect(d.smtpResponse).to.match(reply);
      }
      expect(smtp.received.length).to.equal(before);
      expect(elapsedMs).to.be.below(15_000);
    });
  }

  for (const mode of ['rcpt-error 550', 'rcpt-error 553', 'data-error 550']) {
    it(`when the server answers "${mode}", then the delivery fails at once without a retry`, async () => {
      await smtp.setMode(mode);
      const { mailing } = await mailingWithClients(2);
      const { run, deliveries } = await sendNow(deliveryConfig(smtp.url), mailing.id);
      expect(run.failedCount).to.equal(2);
      for (const d of deliveries) {
        expect(d).to.deep.include({ status: 'failed', attemptCount: 1, errorClass: 'smtp_5xx' });
        expect(d.smtpResponse).to.match(/^55\d /);
      }
    });
  }

  it('when nothing listens on the port, then deliveries fail as connection errors and the process is fine', async () => {
    const { mailing } = await mailingWithClients(2);
    const { run, deliveries } = await sendNow(deliveryConfig(`smtp://127.0.0.1:${await closedPort()}`), mailing.id);
    expect(run.failedCount).to.equal(2);
    for (const d of deliveries) {
      expect(d).to.deep.include({ status: 'failed', attemptCount: 3, errorClass: 'connection' });
      expect(d.smtpResponse).to.match(/ECONNREFUSED/);
    }
  });

  it('when the server fails for a while, then the run pauses itself as "SMTP unavailable" instead of burning the list', async () => {
    await smtp.setMode('drop');
    const { mailing } = await mailingWithClients(12);
    const config = deliveryConfig(smtp.url, { outageThreshold: 3, outagePauseMs: 60_000, maxAttempts: 5 });
    const { progress, run, deliveries } = await sendNow(config, mailing.id);
    expect(progress.state).to.equal('paused');
    expect(run.state).to.equal('paused');
    expect(run.pausedReason).to.match(/^SMTP unavailable: /);
    expect(run.resumeAt).to.be.instanceOf(Date);
    const attempted = deliveries.filter((d) => d.attemptCount > 0);
    expect(attempted.length).to.be.at.least(3).and.below(12);
    expect(deliveries.every((d) => d.status === 'pending')).to.equal(true);
    expect(deliveries.every((d) => d.leaseOwner === null)).to.equal(true);
  });

  it('when the server comes back after a pause, then the same run completes and nobody gets two copies', async () => {
    await smtp.setMode('drop');
    const { mailing, clients } = await mailingWithClients(6);
    const config = deliveryConfig(smtp.url, { outageThreshold: 2, outagePauseMs: 300, maxAttempts: 10 });
    const first = await sendNow(config, mailing.id);
    expect(first.progress.state).to.equal('paused');

    await smtp.setMode('accept');
    const before = smtp.received.length;
    await resumeRun(first.run.id);
    const { progress } = await continueRun(config, first.run.id);

    expect(progress.state).to.equal('finished');
    const counts = new Map<string, number>();
    for (const m of smtp.received.slice(before)) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
    expect([...counts.keys()].sort()).to.deep.equal(clients.map((c) => c.email).sort());
    expect([...counts.values()].every((n) => n === 1)).to.equal(true);
  });
});
