import { spawn } from 'node:child_process';
import { expect } from 'chai';
import { Delivery } from '../../../src/db/models/index.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { unknownAfterCrashLimit } from '../../../src/delivery/run-pass.js';
import { MAILER_BIN, runCli } from '../../support/cli.js';
import { loadRun, mailingWithClients } from '../../support/delivery.js';
import { testConfig, testDatabase } from '../../support/hooks.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';

/** Environment for a `bin/mailer` child working on the suite's database through the test SMTP server. */
function senderEnv(smtp: SmtpTestServer): Record<string, string> {
  return {
    DATABASE_URL: testConfig().database.url,
    SMTP_URL: smtp.url,
    SMTP_POOL_SIZE: '2',
    DELIVERY_BATCH_SIZE: '5',
    DELIVERY_LEASE_MS: '1500',
    DELIVERY_BACKOFF_BASE_MS: '50',
    SMTP_GREETING_TIMEOUT_MS: '1000',
    SMTP_SOCKET_TIMEOUT_MS: '2000',
    SCHEDULER: 'off',
  };
}

describe('sending processes', function () {
  this.timeout(90_000);
  let smtp: SmtpTestServer;

  before(async () => {
    smtp = await SmtpTestServer.start();
  });
  after(async () => {
    await smtp.stop();
  });

  it('when a sending process is killed with -9 mid-run and started again, then no one gets a message twice and every delivery ends final', async () => {
    await smtp.setMode('delay 150');
    const { mailing, clients } = await mailingWithClients(24);
    const before = smtp.received.length;

    const child = spawn(MAILER_BIN, ['send', '--mailing', String(mailing.id)], {
      env: { ...process.env, ...senderEnv(smtp), LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    const until = Date.now() + 30_000;
    while (smtp.received.length - before < 6 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const receivedAtKill = smtp.received.length - before;
    expect(receivedAtKill).to.be.at.least(6).and.below(24);

    await new Promise((resolve) => setTimeout(resolve, 1800)); // let the dead worker's leases run out
    const restart = await runCli(['send', '--mailing', String(mailing.id)], senderEnv(smtp), 60_000);
    expect(restart.code, restart.stderr).to.equal(0);
    expect(restart.stdout).to.match(/run #\d+: finished/);

    const counts = smtp.countsByRecipient();
    const runId = (await Delivery.findOne({ where: { email: clients[0]?.email ?? '' } }))?.runId ?? 0;
    const { run, deliveries } = await loadRun(runId);
    expect(run.state).to.equal('finished');
    for (const d of deliveries) {
      expect(['sent', 'unknown']).to.include(d.status);
      const times = counts.get(d.email) ?? 0;
      if (d.status === 'sent') expect(times, d.email).to.equal(1);
      else expect(times, d.email).to.be.at.most(1);
    }
    // Only what the killed worker held can be unknown: claimed and queued, on the wire, or sent and waiting for
    // its log write (with a server taking 150 ms a message, at most one per lane).
    expect(deliveries.filter((d) => d.status === 'unknown').length).to.be.at.most(unknownAfterCrashLimit({ poolSize: 2 }));
    for (const c of clients) expect(counts.get(c.email) ?? 0, c.email).to.be.at.most(1);
  });

  it('when two worker processes share one run, then they split it and nobody gets a message twice', async () => {
    await smtp.setMode('delay 100');
    const { mailing, clients } = await mailingWithClients(40);
    const run = await startRunNow(testDatabase(), mailing.id);

    const [a, b] = await Promise.all([
      runCli(['send', '--mailing', String(mailing.id)], senderEnv(smtp), 60_000),
      runCli(['send', '--mailing', String(mailing.id)], senderEnv(smtp), 60_000),
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
