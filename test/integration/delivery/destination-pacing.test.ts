import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Sequelize } from 'sequelize';
import type { Config } from '../../../src/config.js';
import { connect } from '../../../src/db/connection.js';
import { MailingRun, type Client } from '../../../src/db/models/index.js';
import { claimBatch } from '../../../src/delivery/claims.js';
import { DestinationPacer } from '../../../src/delivery/destination-pacer.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { readBackoffs } from '../../../src/delivery/pacing-backoffs.js';
import { selectRows } from '../../../src/delivery/sql.js';
import type { PacingSettings } from '../../../src/pacing-settings.js';
import { continueRun, deliveryConfig } from '../../support/delivery.js';
import { makeClient, makeMailing, makeUser } from '../../support/factories.js';
import { testConfig, testDatabase } from '../../support/hooks.js';
import { busiestWindow, overallRate } from '../../support/rates.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';

/** A recipient domain of its own for each test, so no test inherits another's backoff or rate. */
function freshDomain(name: string): string {
  return `${name}-${randomUUID().slice(0, 8)}.test`;
}

/** A mailing of one owner to `count` clients at each domain. */
async function mailingTo(domains: Record<string, number>): Promise<{ mailingId: number; clients: Client[] }> {
  const owner = await makeUser();
  const clients: Client[] = [];
  for (const [domain, count] of Object.entries(domains))
    for (let i = 0; i < count; i += 1) clients.push(await makeClient(owner, { email: `c${i}@${domain}` }));
  const mailing = await makeMailing(owner, { clients });
  return { mailingId: mailing.id, clients };
}

/** The delivery config with these pacing settings over the test ones. */
function pacedConfig(smtpUrl: string, pacing: Partial<PacingSettings>, overrides = {}): Config {
  const base = deliveryConfig(smtpUrl);
  return deliveryConfig(smtpUrl, { pacing: { ...base.delivery.pacing, ...pacing }, ...overrides });
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('pacing per destination group (a real SMTP server process)', function () {
  this.timeout(60_000);
  let smtp: SmtpTestServer;

  before(async () => {
    smtp = await SmtpTestServer.start();
  });
  after(async () => {
    await smtp.stop();
  });

  it('when one domain answers 421, then the other gets every message at once, the run never pauses, and the deferred ones go once after their backoff', async () => {
    const fast = freshDomain('fast');
    const slow = freshDomain('slow');
    await smtp.setMode('accept');
    await smtp.deferDomain(slow, 421);
    // The slow domain's clients come first, so they are in the first claims.
    const { mailingId, clients } = await mailingTo({ [slow]: 4, [fast]: 12 });
    // Two failures in a row would pause the run if a deferral counted as an outage.
    const config = pacedConfig(
      smtp.url,
      { backoffBaseMs: 300, backoffMaxMs: 600, maxDeferrals: 100 },
      { outageThreshold: 2, outagePauseMs: 60_000 },
    );
    const before = smtp.received.length;
    const run = await startRunNow(testDatabase(), mailingId);
    const startedAt = Date.now();
    const working = continueRun(config, run.id, 30_000);
    const states = new Set<string>();
    const watching = setInterval(() => {
      void MailingRun.findByPk(run.id).then((r) => states.add(r?.state ?? 'gone'));
    }, 25);
    try {
      const fastOnes = clients.filter((c) => c.email.endsWith(`@${fast}`)).map((c) => c.email);
      await until(() => fastOnes.every((email) => smtp.recipientsSince(before).includes(email)), 15_000);
      const fastDoneMs = Date.now() - startedAt;
      // The slow domain is still deferring: none of its messages has gone, and several tries were deferred.
      expect(smtp.recipientsSince(before).filter((to) => to.endsWith(`@${slow}`))).to.deep.equal([]);
      await until(() => (smtp.recipientTries.get(`c0@${slow}`) ?? 0) >= 2, 5_000);
      // Twelve messages to a local server: well under a second on an idle machine; the bound leaves room for load.
      expect(fastDoneMs, 'the fast domain waits for nothing').to.be.below(5_000);
      const waits = await readBackoffs(testDatabase());
      expect(waits.get(slow)).to.be.above(Date.now() - 1_000);
      expect(waits.has(fast)).to.equal(false);
      await smtp.deferDomain(slow, null);
      const { progress, run: after, deliveries } = await working;
      expect(progress.state).to.equal('finished');
      expect(after).to.deep.include({ sentCount: 16, failedCount: 0, unknownCount: 0 });
      // A deferral costs no attempt: each delivery was sent at its first counted one.
      for (const d of deliveries) expect(d).to.deep.include({ status: 'sent', attemptCount: 1 });
      expect(smtp.recipientsSince(before)).to.deep.equal(clients.map((c) => c.email).sort());
      // The first ones were deferred and tried again; the group's others waited without being tried meanwhile.
      expect(smtp.recipientTries.get(`c0@${slow}`)).to.be.at.least(2);
    } finally {
      clearInterval(watching);
      await smtp.deferDomain(slow, null);
    }
    expect([...states]).to.not.include('paused');
    // Delivered after its wait: the group starts afresh.
    expect((await readBackoffs(testDatabase())).has(slow)).to.equal(false);
  });

  it('when a domain answers 450 4.7.1, then it is a deferral: its group waits and the tries cost no attempts up to the limit', async () => {
    const domain = freshDomain('policy');
    await smtp.setMode('accept');
    await smtp.deferDomain(domain, 450, '4.7.1');
    try {
      const { mailingId, clients } = await mailingTo({ [domain]: 2 });
      const config = pacedConfig(smtp.url, { backoffBaseMs: 30, backoffMaxMs: 60, maxDeferrals: 3 });
      const run = await startRunNow(testDatabase(), mailingId);
      const { progress, deliveries } = await continueRun(config, run.id);
      expect(progress.state).to.equal('finished');
      for (const d of deliveries) {
        expect(d).to.deep.include({ status: 'failed', errorClass: 'smtp_4xx', attemptCount: 3 });
        expect(d.smtpResponse).to.match(/^450 4\.7\.1 /);
      }
      // The first three waits in a row cost nothing; only the deferrals after them were counted as attempts.
      const tries = clients.map((c) => smtp.recipientTries.get(c.email) ?? 0);
      expect(tries.reduce((a, b) => a + b, 0)).to.be.at.least(2 * 3 + 3);
      const [stored] = await selectRows<{ deferrals: number | string; delay_ms: number | string }>(
        testDatabase(),
        'SELECT deferrals, delay_ms FROM destination_backoffs WHERE group_name = :group',
        { group: domain },
      );
      expect(Number(stored?.deferrals)).to.be.at.least(4);
      // Doubled from 30 ms, and kept to the maximum.
      expect(Number(stored?.delay_ms)).to.equal(60);
    } finally {
      await smtp.deferDomain(domain, null);
    }
  });

  it('when a domain answers a plain 450 4.2.1, then it is an ordinary temporary failure: no wait, every try an attempt', async () => {
    const domain = freshDomain('busy');
    await smtp.setMode('accept');
    await smtp.deferDomain(domain, 450, '4.2.1');
    try {
      const { mailingId, clients } = await mailingTo({ [domain]: 2 });
      const run = await startRunNow(testDatabase(), mailingId);
      const { progress, deliveries } = await continueRun(deliveryConfig(smtp.url), run.id);
      expect(progress.state).to.equal('finished');
      for (const d of deliveries)
        expect(d).to.deep.include({ status: 'failed', errorClass: 'smtp_4xx', attemptCount: 3 });
      for (const c of clients) expect(smtp.recipientTries.get(c.email), c.email).to.equal(3);
      expect((await readBackoffs(testDatabase())).has(domain)).to.equal(false);
    } finally {
      await smtp.deferDomain(domain, null);
    }
  });

  it('when one group has a rate, then its messages keep to it while another group goes at full speed', async () => {
    const limited = freshDomain('limited');
    const free = freshDomain('free');
    await smtp.setMode('accept');
    const { mailingId, clients } = await mailingTo({ [limited]: 10, [free]: 30 });
    const base = deliveryConfig(smtp.url).delivery.pacing;
    const config = pacedConfig(smtp.url, {
      limits: new Map([...base.limits, [limited, { concurrency: 20, ratePerSecond: 5 }]]),
    });
    const before = smtp.received.length;
    const startedAt = performance.now();
    const run = await startRunNow(testDatabase(), mailingId);
    const { progress } = await continueRun(config, run.id);
    expect(progress.state).to.equal('finished');
    const got = smtp.received.slice(before);
    expect(got.map((m) => m.to).sort()).to.deep.equal(clients.map((c) => c.email).sort());
    const limitedTimes = got.filter((m) => m.to.endsWith(`@${limited}`)).map((m) => m.arrivedAt);
    const freeTimes = got.filter((m) => m.to.endsWith(`@${free}`)).map((m) => m.arrivedAt);
    expect(overallRate(limitedTimes)).to.be.at.most(5.5);
    expect(busiestWindow(limitedTimes, 1000)).to.be.at.most(6);
    // The free group does not queue behind the limited one: it is done long before the limited one's two seconds.
    expect(Math.max(...freeTimes) - startedAt).to.be.below(1_500);
    expect(Math.max(...limitedTimes) - startedAt).to.be.above(1_500);
  });

  it('when two processes pace one group with a rate, then together they start no more than the rate', async () => {
    const second: Sequelize = await connect(testConfig().database);
    const group = freshDomain('shared');
    const pacing = deliveryConfig(null).delivery.pacing;
    const settings = { ...pacing, limits: new Map([[group, { concurrency: 100, ratePerSecond: 20 }]]) };
    const pacers = [
      new DestinationPacer(testDatabase(), settings, 10, `rate-a-${randomUUID()}`, 60_000),
      new DestinationPacer(second, settings, 10, `rate-b-${randomUUID()}`, 60_000),
    ];
    try {
      const granted: number[][] = [[], []];
      const stopAt = performance.now() + 2_000;
      await Promise.all(
        pacers.map(async (pacer, i) => {
          while (performance.now() < stopAt) {
            const wait = pacer.tryTake(group);
            if (wait === 0) {
              granted[i]?.push(performance.now());
              pacer.release(group);
            } else await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 20)));
          }
        }),
      );
      const all = granted.flat();
      expect(overallRate(all)).to.be.within(20 * 0.7, 22);
      expect(busiestWindow(all, 1000)).to.be.at.most(22);
      for (const mine of granted) expect(mine.length).to.be.at.least(all.length / 4);
    } finally {
      await Promise.all(pacers.map((pacer) => pacer.shutdown()));
      await second.close();
    }
  });

  it("when a claim leaves out the domains of waiting groups, then it takes only the other groups' deliveries", async () => {
    const waiting = freshDomain('waiting');
    const flowing = freshDomain('flowing');
    const { mailingId } = await mailingTo({ [waiting]: 3, [flowing]: 3 });
    const run = await startRunNow(testDatabase(), mailingId);
    const owner = `claim-test-${randomUUID()}`;
    // Upper case in the address: the domain is compared as the pacer reads it, lower-cased.
    await testDatabase().query('UPDATE deliveries SET email = upper(email) WHERE run_id = :runId AND email LIKE :w', {
      replacements: { runId: run.id, w: `c0@${waiting}` },
    });
    const claimed = await claimBatch(testDatabase(), run.id, owner, 10, 60_000, new Date(), [waiting, 'other.test']);
    expect(claimed.map((d) => d.email.toLowerCase().split('@')[1])).to.deep.equal([flowing, flowing, flowing]);
    const rest = await claimBatch(testDatabase(), run.id, owner, 10, 60_000);
    expect(rest).to.have.length(3);
  });

  it('when a group allows one at a time, then this process never has two of its messages under way', async () => {
    const pacing = deliveryConfig(null).delivery.pacing;
    const one = freshDomain('one');
    const other = freshDomain('other');
    const settings = { ...pacing, limits: new Map([[one, { concurrency: 1, ratePerSecond: 0 }]]) };
    const pacer = new DestinationPacer(testDatabase(), settings, 10, `one-${randomUUID()}`, 60_000);
    try {
      await until(() => pacer.tryTake(one) === 0, 5_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(pacer.tryTake(one)).to.be.above(0);
      await until(() => pacer.tryTake(other) === 0, 5_000);
      pacer.release(one);
      expect(pacer.tryTake(one)).to.equal(0);
      expect(pacer.isLimited(one)).to.equal(true);
      expect(pacer.isLimited(other)).to.equal(false);
    } finally {
      pacer.release(one);
      pacer.release(other);
      await pacer.shutdown();
    }
  });
});
