import { randomUUID } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import { MailingRun, type Client } from '../../../src/db/models/index.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { selectRows } from '../../../src/delivery/sql.js';
import { MAILER_BIN, runCli } from '../../support/cli.js';
import { loadRun, senderEnv } from '../../support/delivery.js';
import { makeClient, makeMailing, makeUser } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';

/** A mailing to `count` clients at each domain, its run started. */
async function runTo(
  domains: Record<string, number>,
): Promise<{ mailingId: number; runId: number; clients: Client[] }> {
  const owner = await makeUser();
  const clients: Client[] = [];
  for (const [domain, count] of Object.entries(domains))
    for (let i = 0; i < count; i += 1) clients.push(await makeClient(owner, { email: `c${i}@${domain}` }));
  const mailing = await makeMailing(owner, { clients });
  const run = await startRunNow(testDatabase(), mailing.id);
  return { mailingId: mailing.id, runId: run.id, clients };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a destination group’s concurrency across worker processes (a real SMTP server process)', function () {
  this.timeout(120_000);
  let smtp: SmtpTestServer;

  before(async () => {
    smtp = await SmtpTestServer.start();
  });
  after(async () => {
    await smtp.stop();
  });

  /** Two processes of four connections each; the limited group allows two at once in all. */
  function envFor(limited: string, overrides: Record<string, string> = {}): Record<string, string> {
    return senderEnv(smtp.url, {
      SMTP_POOL_SIZE: '4',
      DELIVERY_BATCH_SIZE: '10',
      DESTINATION_LIMITS: `${limited}=2/`,
      LOG_LEVEL: 'silent',
      ...overrides,
    });
  }

  it('when two worker processes send one run to a group of concurrency 2, then the server never has more than 2 of its messages at once, the other group is not held back, and each client gets one copy', async () => {
    const limited = `limited-${randomUUID().slice(0, 8)}.test`;
    const free = `free-${randomUUID().slice(0, 8)}.test`;
    await smtp.setMode('delay 150');
    const { mailingId, runId, clients } = await runTo({ [limited]: 16, [free]: 24 });
    const env = envFor(limited);
    const [a, b] = await Promise.all([
      runCli(['send', '--mailing', String(mailingId)], env, 90_000),
      runCli(['send', '--mailing', String(mailingId)], env, 90_000),
    ]);
    expect(a.code, a.stderr).to.equal(0);
    expect(b.code, b.stderr).to.equal(0);
    // Both processes sent some (else the test would prove nothing about two of them).
    for (const result of [a, b]) expect(result.stdout).to.match(/this process: [1-9]\d* accepted/);
    expect(smtp.peakInFlight.get(limited)).to.equal(2);
    // The free group went on as many connections as the two processes have.
    expect(smtp.peakInFlight.get(free)).to.be.above(2);
    const counts = smtp.countsByRecipient();
    for (const c of clients) expect(counts.get(c.email), c.email).to.equal(1);
    const { run } = await loadRun(runId);
    expect(run).to.deep.include({ state: 'finished', sentCount: 40, unknownCount: 0 });
    // Both gave their places back on the way out.
    const left = await selectRows(testDatabase(), 'SELECT slot FROM destination_slots WHERE group_name = :g', {
      g: limited,
    });
    expect(left).to.deep.equal([]);
  });

  it('when a worker holding a group’s places is killed with -9, then the other worker gets them once their leases run out, never before', async () => {
    const limited = `killed-${randomUUID().slice(0, 8)}.test`;
    await smtp.setMode('delay 300');
    const { mailingId, runId, clients } = await runTo({ [limited]: 14 });
    const env = envFor(limited, { DELIVERY_LEASE_MS: '3000' });
    const first: ChildProcess = spawn(MAILER_BIN, ['send', '--mailing', String(mailingId)], {
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    const places = (): Promise<{ holder: string; left_ms: number | string }[]> =>
      selectRows(
        testDatabase(),
        `SELECT holder, expires_at_ms - :now AS left_ms FROM destination_slots WHERE group_name = :g`,
        { g: limited, now: Date.now() },
      );
    const before = smtp.received.length;
    await until(() => smtp.received.length - before >= 2, 60_000, 'the first worker sends');
    await until(async () => (await places()).length === 2, 10_000, 'the first worker holds both places');
    const exited = new Promise((resolve) => first.once('exit', resolve));
    first.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    const held = await places();
    const leftMs = Math.min(...held.map((p) => Number(p.left_ms)));
    expect(leftMs, 'the dead worker’s leases still run').to.be.above(500);
    const triesAtKill = [...smtp.recipientTries.values()].reduce((sum, n) => sum + n, 0);
    const second = runCli(['send', '--mailing', String(mailingId)], env, 90_000);
    // While the dead worker's leases run, nothing of the group is begun.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, killedAt + leftMs - 300 - Date.now())));
    expect([...smtp.recipientTries.values()].reduce((sum, n) => sum + n, 0)).to.equal(triesAtKill);
    const result = await second;
    expect(result.code, result.stderr).to.equal(0);
    expect(smtp.peakInFlight.get(limited)).to.equal(2);
    const { run, deliveries } = await loadRun(runId);
    expect(run.state).to.equal('finished');
    const counts = smtp.countsByRecipient();
    for (const c of clients) expect(counts.get(c.email) ?? 0, c.email).to.be.at.most(1);
    for (const d of deliveries) if (d.status === 'sent') expect(counts.get(d.email), d.email).to.equal(1);
    expect(await MailingRun.count({ where: { mailingId } })).to.equal(1);
  });
});
