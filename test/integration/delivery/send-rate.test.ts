import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { connect } from '../../../src/db/connection.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { createSendRate, type SendRate } from '../../../src/delivery/send-rate.js';
import { exitCodeOf, runCli, startCli } from '../../support/cli.js';
import { loadRun, mailingWithClients, senderEnv } from '../../support/delivery.js';
import { busiestWindow, MAY_LOSE_UNDER_LOAD, overallRate } from '../../support/rates.js';
import { testConfig, testDatabase } from '../../support/hooks.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';

/** A key of its own for each test, so no test inherits another's reserved slots. */
function freshKey(): string {
  return `rate-test-${randomUUID()}:25`;
}

/** Takes slots with `lanes` concurrent takers until `durationMs` has passed; returns when each was granted. */
async function takeSlots(rate: SendRate, lanes: number, durationMs: number): Promise<number[]> {
  const granted: number[] = [];
  const until = performance.now() + durationMs;
  const lane = async (): Promise<void> => {
    while (performance.now() < until) {
      await rate.acquire();
      granted.push(performance.now());
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  return granted;
}

/** Environment for a `bin/mailer send` child on the suite's database, through the test SMTP server. */
function rateEnv(smtp: SmtpTestServer, ratePerSecond: number): Record<string, string> {
  return senderEnv(smtp.url, {
    SMTP_RATE_PER_SECOND: String(ratePerSecond),
    DELIVERY_BATCH_SIZE: '10',
    DELIVERY_LEASE_MS: '5000',
  });
}

describe('one send rate shared through the database', function () {
  this.timeout(30_000);
  let second: Sequelize;
  let smtp: SmtpTestServer;

  before(async () => {
    // A second connection of its own, as another process would have (on SQLite: the same file, opened again).
    second = await connect(testConfig().database);
    smtp = await SmtpTestServer.start();
  });
  after(async () => {
    await second.close();
    await smtp.stop();
  });

  it('when two limiters on two connections share an SMTP server, then together they start no more than the rate', async () => {
    const key = freshKey();
    const a = createSendRate(testDatabase(), 50, key);
    const b = createSendRate(second, 50, key);
    try {
      const [fromA, fromB] = await Promise.all([takeSlots(a, 3, 2000), takeSlots(b, 3, 2000)]);
      const all = [...fromA, ...fromB];
      expect(overallRate(all)).to.be.within(50 * MAY_LOSE_UNDER_LOAD, 55);
      expect(busiestWindow(all, 1000)).to.be.at.most(55);
      // Neither hoards: each gets a fair part.
      expect(fromA.length).to.be.at.least(all.length / 3);
      expect(fromB.length).to.be.at.least(all.length / 3);
    } finally {
      a.close();
      b.close();
    }
  });

  it('when two limiters are for different SMTP servers, then each keeps its own rate', async () => {
    const a = createSendRate(testDatabase(), 30, freshKey());
    const b = createSendRate(second, 30, freshKey());
    try {
      const [fromA, fromB] = await Promise.all([takeSlots(a, 2, 1500), takeSlots(b, 2, 1500)]);
      expect(overallRate(fromA)).to.be.within(30 * MAY_LOSE_UNDER_LOAD, 33);
      expect(overallRate(fromB)).to.be.within(30 * MAY_LOSE_UNDER_LOAD, 33);
    } finally {
      a.close();
      b.close();
    }
  });

  it('when the rate is 0, then every acquire resolves at once and the database keeps no row for it', async () => {
    const key = freshKey();
    const rate = createSendRate(testDatabase(), 0, key);
    const started = performance.now();
    await Promise.all(Array.from({ length: 500 }, () => rate.acquire()));
    expect(performance.now() - started).to.be.below(50);
    const rows = await testDatabase().query('SELECT smtp_server FROM send_rate_slots WHERE smtp_server = :key', {
      replacements: { key },
      type: QueryTypes.SELECT,
    });
    expect(rows).to.have.length(0);
  });

  it('when a limiter is closed, then its waiting and later acquires reject and nothing more is handed out', async () => {
    const rate = createSendRate(testDatabase(), 5, freshKey());
    await rate.acquire();
    const waiting = rate.acquire();
    rate.close();
    const outcome = await waiting.then(
      () => 'resolved',
      (error: unknown) => (error as Error).message,
    );
    expect(outcome).to.match(/closed/);
    const later = await rate.acquire().then(
      () => 'resolved',
      (error: unknown) => (error as Error).message,
    );
    expect(later).to.match(/closed/);
  });

  it('when three `mailer send` processes share a run at SMTP_RATE_PER_SECOND=40, then the SMTP server receives 40 a second (within 10 %) and nobody twice', async () => {
    const rate = 40;
    const { mailing, clients } = await mailingWithClients(150);
    const run = await startRunNow(testDatabase(), mailing.id);
    const before = smtp.received.length;

    const senders = await Promise.all(
      [1, 2, 3].map(() => runCli(['send', '--mailing', String(mailing.id)], rateEnv(smtp, rate), 25_000)),
    );
    for (const sender of senders) expect(sender.code, sender.stderr).to.equal(0);

    const arrivals = smtp.received.slice(before).map((m) => m.arrivedAt);
    expect(arrivals).to.have.length(150);
    const measured = overallRate(arrivals);
    expect(measured, `${measured.toFixed(2)} messages/s`).to.be.within(rate * MAY_LOSE_UNDER_LOAD, rate * 1.1);
    // Throughout, not only on average: in any second at most 10 % more, plus one for each of the six SMTP
    // connections the processes open (a connection's first message waits for its set-up, so it lands next to
    // the following slot's).
    expect(busiestWindow(arrivals, 1000)).to.be.at.most(rate * 1.1 + 6);

    const counts = smtp.countsByRecipient();
    for (const c of clients) expect(counts.get(c.email), c.email).to.equal(1);
    const { run: after } = await loadRun(run.id);
    expect(after).to.deep.include({ state: 'finished', sentCount: 150 });
    // All three worked on the run at the same time: the limit held for them together, not each.
    const shares = senders.map((s) => Number(/this process: (\d+) accepted/.exec(s.stdout)?.[1]));
    for (const share of shares) expect(share).to.be.greaterThan(10);
    expect(shares.reduce((sum, share) => sum + share, 0)).to.equal(150);
  });

  it('when the daemon gets SIGTERM while its lanes wait for send slots, then no message starts after the signal and the waiting deliveries stay unattempted', async () => {
    // At 2 a second, four lanes reserve four slots half a second apart: three lanes are always waiting.
    const { mailing, clients } = await mailingWithClients(20);
    const addresses = new Set(clients.map((c) => c.email));
    const run = await startRunNow(testDatabase(), mailing.id);
    const ours = () => smtp.received.filter((m) => addresses.has(m.to));
    const env = senderEnv(smtp.url, { SMTP_RATE_PER_SECOND: '2', SMTP_POOL_SIZE: '4', SCHEDULER: 'on' });
    const daemon = await startCli(['daemon'], env, /Mailer daemon is running\n/);
    try {
      while (ours().length < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      daemon.child.kill('SIGTERM');
    }
    const signalledAt = performance.now();
    expect(await exitCodeOf(daemon.child)).to.equal(0);
    // Slots already reserved would have come within the next two seconds.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const late = ours().filter((m) => m.arrivedAt > signalledAt + 100);
    expect(late, 'messages that started after SIGTERM').to.deep.equal([]);

    const rows = await testDatabase().query<{ status: string; attempt_count: number }>(
      'SELECT status, attempt_count FROM deliveries WHERE run_id = :runId',
      { replacements: { runId: run.id }, type: QueryTypes.SELECT },
    );
    const sent = rows.filter((r) => r.status === 'sent');
    expect(sent).to.have.length(ours().length);
    // What was not sent is queued again, its attempt not counted: the next worker sends it once.
    for (const row of rows.filter((r) => r.status !== 'sent'))
      expect(row).to.deep.equal({ status: 'pending', attempt_count: 0 });
  });
});
