import { expect } from 'chai';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { pauseRun } from '../../../src/delivery/runs.js';
import { exitCodeOf, runCli, startCli } from '../../support/cli.js';
import { loadRun, mailingWithClients, senderEnv } from '../../support/delivery.js';
import { testDatabase } from '../../support/hooks.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';

describe('mailer send and pauses', function () {
  this.timeout(60_000);
  let smtp: SmtpTestServer;

  function env(extra: Record<string, string> = {}): Record<string, string> {
    return senderEnv(smtp.url, {
      DELIVERY_LEASE_MS: '3000',
      SMTP_CONNECTION_TIMEOUT_MS: '500',
      SMTP_GREETING_TIMEOUT_MS: '500',
      SMTP_SOCKET_TIMEOUT_MS: '1000',
      ...extra,
    });
  }

  before(async () => {
    smtp = await SmtpTestServer.start();
  });
  after(async () => {
    await smtp.stop();
  });

  it('when the SMTP server is out, then send waits the pause out in the foreground, saying until when and why, and finishes once it is back', async () => {
    await smtp.setMode('drop');
    const { mailing, clients } = await mailingWithClients(6);
    const before = smtp.received.length;
    const outage = { SMTP_OUTAGE_THRESHOLD: '2', SMTP_OUTAGE_PAUSE_MS: '1500', DELIVERY_MAX_ATTEMPTS: '2' };
    const { child, output } = await startCli(
      ['send', '--mailing', String(mailing.id)],
      env(outage),
      /paused until \S+: SMTP unavailable: .*; waiting/,
    );
    await smtp.setMode('accept');
    expect(await exitCodeOf(child), output()).to.equal(0);
    expect(output()).to.match(/run #\d+: finished; 6 recipients, 6 sent/);
    expect(smtp.recipientsSince(before)).to.deep.equal(clients.map((c) => c.email).sort());
  });

  it('when a person paused the run, then send leaves it paused unless told --resume', async () => {
    await smtp.setMode('accept');
    const { mailing } = await mailingWithClients(3);
    const run = await startRunNow(testDatabase(), mailing.id);
    await pauseRun(run.id);
    const refused = await runCli(['send', '--mailing', String(mailing.id)], env());
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.match(new RegExp(`run #${run.id} is paused \\(Paused by user\\); say --resume`));
    expect((await loadRun(run.id)).run.state).to.equal('paused');

    const resumed = await runCli(['send', '--mailing', String(mailing.id), '--resume'], env());
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect((await loadRun(run.id)).run).to.deep.include({ state: 'finished', sentCount: 3 });
  });

  it('when the run is paused for an outage until later, then a rerun sends nothing before then', async () => {
    await smtp.setMode('accept');
    const { mailing } = await mailingWithClients(3);
    const run = await startRunNow(testDatabase(), mailing.id);
    const resumeAt = new Date(Date.now() + 2_500);
    const resumeAtHere = performance.now() + 2_500; // the same instant on the clock the arrivals are read by
    await pauseRun(run.id, { kind: 'smtp_unavailable', reason: 'SMTP unavailable: 421 try later' }, resumeAt);
    const before = smtp.received.length;
    const result = await runCli(['send', '--mailing', String(mailing.id)], env());
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/paused until .*: SMTP unavailable: 421 try later; waiting/);
    const firstArrival = Math.min(...smtp.received.slice(before).map((m) => m.arrivedAt));
    expect(firstArrival).to.be.at.least(resumeAtHere - 20);
    expect((await loadRun(run.id)).run).to.deep.include({ state: 'finished', sentCount: 3 });
  });
});
