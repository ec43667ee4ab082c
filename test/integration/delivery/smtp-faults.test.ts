import { expect } from 'chai';
import { MailingRun } from '../../../src/db/models/index.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { cancelRun, pauseRun, resumeRun } from '../../../src/delivery/runs.js';
import { continueRun, deliveryConfig, mailingWithClients, sendNow, type RunResult } from '../../support/delivery.js';
import { testDatabase } from '../../support/hooks.js';
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
    const startedAt = Date.now();
    const { progress, run, deliveries } = await sendNow(deliveryConfig(smtp.url), mailing.id);
    expect(progress.state).to.equal('finished');
    expect(run).to.deep.include({ state: 'finished', totalCount: 5, sentCount: 5, failedCount: 0, unknownCount: 0 });
    for (const d of deliveries) {
      expect(d.status).to.equal('sent');
      expect(d.attemptCount).to.equal(1);
      expect(d.smtpResponse).to.match(/^250 2\.0\.0 Ok: queued as TEST\d+$/);
      // Written straight on the driver, read back through the model: the same instants.
      expect(d.lastAttemptAt?.getTime()).to.be.within(startedAt, Date.now());
      expect(d.sentAt?.getTime()).to.be.within(d.lastAttemptAt?.getTime() ?? 0, Date.now());
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
    ['no-greet', /Greeting never received/i, 'timeout'],
    ['garbage', /HELLO THERE, THIS IS NOT SMTP/, 'protocol'],
    ['drop', /Connection closed|maximum number of retries/i, 'connection'],
    ['drop-after-rcpt', /Connection closed|maximum number of retries/i, 'connection'],
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
      // Every try the server saw is one the log counts: the SMTP library resends nothing by itself. A 421 is a
      // deferral: its group's first waits in a row cost no attempt (pacing per destination).
      const free = mode === 'rcpt-error 421' ? deliveryConfig(smtp.url).delivery.pacing.maxDeferrals : 0;
      for (const d of deliveries)
        expect(smtp.recipientTries.get(d.email) ?? 0, d.email).to.be.at.most(d.attemptCount + free);
    });
  }

  it('when a reused connection drops after RCPT, then the message is tried again only as a logged attempt of ours', async () => {
    await smtp.setMode('drop-reused-rcpt');
    const { mailing } = await mailingWithClients(4);
    const before = smtp.received.length;
    const config = deliveryConfig(smtp.url, { poolSize: 1, maxAttempts: 4 });
    const { deliveries } = await sendNow(config, mailing.id);
    for (const d of deliveries) expect(smtp.recipientTries.get(d.email) ?? 0, d.email).to.be.at.most(d.attemptCount);
    const counts = new Map<string, number>();
    for (const m of smtp.received.slice(before)) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
    expect([...counts.values()].every((n) => n === 1)).to.equal(true);
  });

  const noReplyAfterData: [string, RegExp][] = [
    ['accept-drop', /Connection closed/i],
    ['late-reply 1500', /timeout/i],
    ['hang-data', /timeout/i],
  ];
  for (const [mode, cause] of noReplyAfterData) {
    it(`when the server has the whole message and then "${mode}", then the delivery is unknown after one attempt and never retried`, async () => {
      await smtp.setMode(mode);
      const { mailing, clients } = await mailingWithClients(3);
      const before = smtp.received.length;
      const { progress, run, deliveries } = await sendNow(deliveryConfig(smtp.url), mailing.id);
      expect(progress.state).to.equal('finished');
      expect(run).to.deep.include({ state: 'finished', sentCount: 0, failedCount: 0, unknownCount: 3 });
      for (const d of deliveries) {
        expect(d).to.deep.include({ status: 'unknown', attemptCount: 1, errorClass: 'no_reply' });
        expect(d.smtpResponse)
          .to.match(/^No reply to the end of data/)
          .and.match(cause);
        expect(smtp.recipientTries.get(d.email), d.email).to.equal(1);
      }
      // A server that queued them delivers each once, and only once.
      const got = smtp.received.slice(before).map((m) => m.to);
      if (mode !== 'hang-data') expect(got.sort()).to.deep.equal(clients.map((c) => c.email).sort());
    });
  }

  it('when one reply in ten is later than the timeout, then only those are unknown and the run is not taken for an outage', async () => {
    await smtp.setMode('late-every 10 1500');
    const { mailing } = await mailingWithClients(30);
    const before = smtp.received.length;
    const config = deliveryConfig(smtp.url, { outageThreshold: 2, outagePauseMs: 60_000 });
    const { progress, run, deliveries } = await sendNow(config, mailing.id);
    expect(progress.state).to.equal('finished');
    expect(run.unknownCount).to.be.within(1, 4);
    expect(run.sentCount + run.unknownCount).to.equal(30);
    for (const d of deliveries) expect(d.attemptCount).to.equal(1);
    expect(new Set(smtp.received.slice(before).map((m) => m.to)).size).to.equal(30);
    expect(smtp.received.length - before).to.equal(30);
  });

  it('when slow replies overlap on two connections while sends begun after them are answered, then it is no outage', async () => {
    // Every second message is answered late: both connections wait on one at once, each begun before a send
    // that the server answered; only failures after the server last answered count towards an outage.
    await smtp.setMode('late-every 2 1500');
    const { mailing } = await mailingWithClients(10);
    const config = deliveryConfig(smtp.url, { outageThreshold: 2, outagePauseMs: 60_000 });
    const { progress, run } = await sendNow(config, mailing.id);
    expect(progress.state).to.equal('finished');
    expect(run.sentCount + run.unknownCount).to.equal(10);
    expect(run.unknownCount).to.be.within(1, 6);
  });

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
    const tried = deliveries.filter((d) => d.lastAttemptAt !== null);
    expect(tried.length).to.be.at.least(3).and.below(12);
    // The failures that tripped the pause, and those on the wire then, cost no attempt: they say nothing of the recipient.
    for (const d of deliveries) expect(d).to.deep.include({ status: 'pending', attemptCount: 0, leaseOwner: null });
    for (const d of tried) expect(d.errorClass).to.equal('connection');
  });

  it('when an outage lasts longer than several pauses, then every delivery is still sent, once', async () => {
    await smtp.setMode('drop');
    const { mailing, clients } = await mailingWithClients(8);
    const before = smtp.received.length;
    const config = deliveryConfig(smtp.url, { outageThreshold: 2, outagePauseMs: 300, maxAttempts: 2 });
    const run = await startRunNow(testDatabase(), mailing.id);
    const working = continueRun(config, run.id, 20_000, { waitOutPauses: true });
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // about four pauses
    await smtp.setMode('accept');
    const { progress, run: after, deliveries } = await working;
    expect(progress.state).to.equal('finished');
    expect(after).to.deep.include({ sentCount: 8, failedCount: 0 });
    for (const d of deliveries) expect(d.attemptCount).to.be.at.most(2);
    expect(smtp.recipientsSince(before)).to.deep.equal(clients.map((c) => c.email).sort());
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

  /**
   * A run of `count` clients sending through a server that takes 100 ms a message, worked on in this process;
   * resolves once two messages have arrived, so the run is under way. `before` is the server's count before it.
   */
  async function slowRunUnderWay(
    count: number,
  ): Promise<{ runId: number; before: number; working: Promise<RunResult> }> {
    await smtp.setMode('delay 100');
    const { mailing } = await mailingWithClients(count);
    const before = smtp.received.length;
    const run = await startRunNow(testDatabase(), mailing.id);
    const working = continueRun(deliveryConfig(smtp.url), run.id);
    while (smtp.received.length - before < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    return { runId: run.id, before, working };
  }

  it('when a run is cancelled while sending, then the worker stops after its in-flight messages and the rest fail as cancelled', async () => {
    const { runId, before, working } = await slowRunUnderWay(30);
    await cancelRun(testDatabase(), runId);
    const cancelledAt = Date.now();
    const { progress, run: after, deliveries } = await working;

    expect(progress.state).to.equal('cancelled');
    const received = smtp.received.length - before;
    const sent = deliveries.filter((d) => d.status === 'sent');
    expect(sent).to.have.length(received).and.length.below(30);
    // Only messages already on the wire when it was cancelled went out: no attempt started afterwards.
    for (const d of sent) expect(d.lastAttemptAt?.getTime()).to.be.at.most(cancelledAt);
    const rest = deliveries.filter((d) => d.status !== 'sent');
    expect(rest.every((d) => d.status === 'failed' && d.errorClass === 'cancelled' && d.leaseOwner === null)).to.equal(
      true,
    );
    expect(after).to.deep.include({ state: 'cancelled', sentCount: received, failedCount: 30 - received });
  });

  it('when another process pauses the run, then the worker sees it within about a second and gives its claims back', async () => {
    const { runId, before, working } = await slowRunUnderWay(40);
    // As another process would: the state changes in the database, no event reaches this one.
    await MailingRun.update({ state: 'paused', pausedReason: 'Paused by user' }, { where: { id: runId } });
    const { progress, elapsedMs, deliveries } = await working;

    expect(progress.state).to.equal('paused');
    expect(elapsedMs).to.be.below(2_500);
    const sent = deliveries.filter((d) => d.status === 'sent');
    expect(sent)
      .to.have.length(smtp.received.length - before)
      .and.length.below(40);
    for (const d of deliveries.filter((x) => x.status !== 'sent'))
      expect(d).to.deep.include({ status: 'pending', attemptCount: 0, leaseOwner: null });

    await resumeRun(runId);
    expect((await continueRun(deliveryConfig(smtp.url), runId)).run.sentCount).to.equal(40);
    expect(new Set(smtp.received.slice(before).map((m) => m.to)).size).to.equal(smtp.received.length - before);
  });

  it('when a run is paused in this process, then the lanes stop at once', async () => {
    const { runId, working } = await slowRunUnderWay(30);
    await pauseRun(runId);
    const pausedAt = Date.now();
    const { progress, deliveries } = await working;
    expect(progress.state).to.equal('paused');
    const sent = deliveries.filter((d) => d.status === 'sent');
    for (const d of sent) expect(d.lastAttemptAt?.getTime()).to.be.at.most(pausedAt);
    expect(deliveries.filter((d) => d.status === 'pending')).to.have.length(30 - sent.length);
  });
});
