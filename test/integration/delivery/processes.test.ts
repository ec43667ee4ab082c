import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { Delivery, MailingRun } from '../../../src/db/models/index.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { unknownAfterCrashLimit } from '../../../src/delivery/run-pass.js';
import { MAILER_BIN, runCli } from '../../support/cli.js';
import { loadRun, mailingWithClients, senderEnv } from '../../support/delivery.js';
import { testDatabase } from '../../support/hooks.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';

describe('sending processes', function () {
  this.timeout(90_000);
  let smtp: SmtpTestServer;

  before(async () => {
    smtp = await SmtpTestServer.start();
  });
  after(async () => {
    await smtp.stop();
  });

  /** A `bin/mailer send --mailing ID` child process working on the suite's database. */
  function startSender(mailingId: number): ChildProcess {
    return spawn(MAILER_BIN, ['send', '--mailing', String(mailingId)], {
      env: { ...process.env, ...senderEnv(smtp.url), LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
  }

  async function untilReceived(count: number, before: number): Promise<void> {
    const until = Date.now() + 30_000;
    while (smtp.received.length - before < count && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(smtp.received.length - before).to.be.at.least(count);
  }

  async function kill9(child: ChildProcess): Promise<void> {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /**
   * The promise after any crash: the run finished, no delivery left waiting, nobody got two copies, a sent
   * delivery reached its address once, and at most what the killed processes had on the wire is unknown.
   */
  async function expectOnceEach(runId: number, killed: number): Promise<void> {
    const { run, deliveries } = await loadRun(runId);
    const counts = smtp.countsByRecipient();
    expect(run.state).to.equal('finished');
    for (const d of deliveries) {
      expect(['sent', 'unknown'], `${d.email}: ${d.status}`).to.include(d.status);
      if (d.status === 'sent') expect(counts.get(d.email), d.email).to.equal(1);
      else expect(counts.get(d.email) ?? 0, d.email).to.be.at.most(1);
    }
    const unknown = deliveries.filter((d) => d.status === 'unknown').length;
    expect(unknown).to.be.at.most(killed * unknownAfterCrashLimit({ poolSize: 2 }));
  }

  /** A mailing of `count` clients whose run a sender has started; the run's id once the sender is under way. */
  async function runUnderWay(
    count: number,
    sent: number,
  ): Promise<{ mailingId: number; runId: number; child: ChildProcess }> {
    await smtp.setMode('delay 100');
    const { mailing, clients } = await mailingWithClients(count);
    const before = smtp.received.length;
    const child = startSender(mailing.id);
    await untilReceived(sent, before);
    const runId = (await Delivery.findOne({ where: { email: clients[0]?.email ?? '' } }))?.runId ?? 0;
    return { mailingId: mailing.id, runId, child };
  }

  const crashPoints: [string, number, number][] = [
    ['early, restarted while its leases are valid', 4, 0],
    ['early, restarted after its leases expired', 4, 1800],
    ['once its last batch is claimed, restarted at once', 18, 0],
    ['once its last batch is claimed, restarted after its leases expired', 18, 1800],
  ];
  for (const [when, sentBeforeKill, waitMs] of crashPoints) {
    it(`when a sender is killed with -9 ${when}, then the rerun finishes that same run and nobody gets a message twice`, async () => {
      const { mailingId, runId, child } = await runUnderWay(24, sentBeforeKill);
      await kill9(child);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      const restart = await runCli(['send', '--mailing', String(mailingId)], senderEnv(smtp.url), 60_000);
      expect(restart.code, restart.stderr + restart.stdout).to.equal(0);
      expect(restart.stdout).to.match(new RegExp(`run #${runId}: finished`));
      expect(await MailingRun.count({ where: { mailingId } })).to.equal(1);
      await expectOnceEach(runId, 1);
    });
  }

  it('when one of two senders is killed with -9, then the other finishes the run alone, reaping what the dead one held', async () => {
    const { mailingId, runId, child } = await runUnderWay(30, 4);
    const survivor = runCli(['send', '--mailing', String(mailingId)], senderEnv(smtp.url), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await kill9(child);
    const result = await survivor;
    expect(result.code, result.stderr + result.stdout).to.equal(0);
    expect(await MailingRun.count({ where: { mailingId } })).to.equal(1);
    await expectOnceEach(runId, 1);
  });

  it('when both of two senders are killed with -9, then a third finishes the same run and nobody gets a message twice', async () => {
    const { mailingId, runId, child } = await runUnderWay(30, 4);
    const second = startSender(mailingId);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await Promise.all([kill9(child), kill9(second)]);
    const restart = await runCli(['send', '--mailing', String(mailingId)], senderEnv(smtp.url), 60_000);
    expect(restart.code, restart.stderr + restart.stdout).to.equal(0);
    expect(await MailingRun.count({ where: { mailingId } })).to.equal(1);
    await expectOnceEach(runId, 2);
  });

  it('when a finished mailing is sent again, then nothing goes out unless --again says so, and then everyone gets one more', async () => {
    await smtp.setMode('accept');
    const { mailing, clients } = await mailingWithClients(3, { periodicity: 'once' });
    const first = await runCli(['send', '--mailing', String(mailing.id)], senderEnv(smtp.url), 30_000);
    expect(first.code, first.stderr).to.equal(0);
    const before = smtp.received.length;
    const rerun = await runCli(['send', '--mailing', String(mailing.id)], senderEnv(smtp.url), 30_000);
    expect(rerun.code, rerun.stderr).to.equal(0);
    expect(rerun.stdout).to.match(/has no run to continue.*--again/);
    expect(smtp.received.length).to.equal(before);
    const again = await runCli(['send', '--mailing', String(mailing.id), '--again'], senderEnv(smtp.url), 30_000);
    expect(again.code, again.stderr).to.equal(0);
    expect(smtp.recipientsSince(before)).to.deep.equal(clients.map((c) => c.email).sort());
    expect(await MailingRun.count({ where: { mailingId: mailing.id } })).to.equal(2);
  });

  it('when two worker processes share one run, then they split it and nobody gets a message twice', async () => {
    await smtp.setMode('delay 100');
    const { mailing, clients } = await mailingWithClients(40);
    const run = await startRunNow(testDatabase(), mailing.id);

    const [a, b] = await Promise.all([
      runCli(['send', '--mailing', String(mailing.id)], senderEnv(smtp.url), 60_000),
      runCli(['send', '--mailing', String(mailing.id)], senderEnv(smtp.url), 60_000),
    ]);
    expect(a.code, a.stderr).to.equal(0);
    expect(b.code, b.stderr).to.equal(0);

    const { run: after, deliveries } = await loadRun(run.id);
    expect(after).to.deep.include({ state: 'finished', sentCount: 40 });
    const counts = smtp.countsByRecipient();
    for (const c of clients) expect(counts.get(c.email), c.email).to.equal(1);
    expect(new Set(deliveries.map((d) => d.smtpResponse)).size).to.equal(40);
    const share = (out: string): number => Number(/this process: (\d+) accepted/.exec(out)?.[1]);
    expect(share(a.stdout)).to.be.greaterThan(0);
    expect(share(b.stdout)).to.be.greaterThan(0);
    expect(share(a.stdout) + share(b.stdout)).to.equal(40);
  });
});
