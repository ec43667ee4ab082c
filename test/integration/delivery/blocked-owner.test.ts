import { expect } from 'chai';
import { Delivery, User } from '../../../src/db/models/index.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { AppError } from '../../../src/errors.js';
import { blockUser, unblockUser } from '../../../src/users/users.service.js';
import { runCli } from '../../support/cli.js';
import { continueRun, deliveryConfig, mailingWithClients } from '../../support/delivery.js';
import { rejectionOf } from '../../support/expect.js';
import { makeUser } from '../../support/factories.js';
import { testConfig, testDatabase } from '../../support/hooks.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';

describe("a blocked owner's mail", function () {
  this.timeout(60_000);
  let smtp: SmtpTestServer;

  before(async () => {
    smtp = await SmtpTestServer.start('delay 100');
  });
  after(async () => {
    await smtp.stop();
  });

  /** A run of `count` clients under way in this process; resolves once two messages have arrived. */
  async function runUnderWay(count: number) {
    const { mailing, owner, clients } = await mailingWithClients(count);
    const before = smtp.received.length;
    const run = await startRunNow(testDatabase(), mailing.id);
    const working = continueRun(deliveryConfig(smtp.url), run.id);
    while (smtp.received.length - before < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    return { mailing, owner, clients, before, runId: run.id, working };
  }

  it('when a manager blocks the owner during a run, then it stops at once, its waiting deliveries are held, and unblocking sends them once', async () => {
    const manager = await makeUser({ role: 'manager' });
    const { owner, clients, before, runId, working } = await runUnderWay(30);
    await blockUser(manager, owner.id, 'spam complaints');
    const blockedAt = Date.now();
    const { progress, deliveries } = await working;

    expect(progress.state).to.equal('held');
    const sent = deliveries.filter((d) => d.status === 'sent');
    expect(sent.length).to.be.below(30);
    for (const d of sent) expect(d.lastAttemptAt?.getTime()).to.be.at.most(blockedAt);
    for (const d of deliveries.filter((x) => x.status !== 'sent'))
      expect(d).to.deep.include({ status: 'pending', attemptCount: 0, leaseOwner: null });
    // Nothing more goes out while blocked, whoever works on the run.
    const again = await continueRun(deliveryConfig(smtp.url), runId, 2_000);
    expect(again.progress.state).to.equal('held');
    expect(smtp.received.length - before).to.equal(sent.length);

    await unblockUser(manager, owner.id);
    const { run } = await continueRun(deliveryConfig(smtp.url), runId);
    expect(run).to.deep.include({ state: 'finished', sentCount: 30 });
    const counts = smtp.countsByRecipient();
    for (const c of clients) expect(counts.get(c.email), c.email).to.equal(1);
  });

  it('when another process blocks the owner (no event here), then the worker stops within about a second', async () => {
    const { owner, runId, working } = await runUnderWay(60);
    await User.update({ isBlocked: true }, { where: { id: owner.id } });
    const blockedAt = Date.now();
    const { progress, deliveries } = await working;
    expect(progress.state).to.equal('held');
    for (const d of deliveries.filter((x) => x.status === 'sent'))
      expect(d.lastAttemptAt?.getTime()).to.be.at.most(blockedAt + 1_500);
    expect(await Delivery.count({ where: { runId, status: 'pending' } })).to.be.above(0);
  });

  it('when the owner is blocked, then "send now" and mailer send refuse, saying why', async () => {
    const { mailing, owner } = await mailingWithClients(2);
    await owner.update({ isBlocked: true });
    const refused = await rejectionOf(startRunNow(testDatabase(), mailing.id));
    expect(refused).to.be.instanceOf(AppError);
    expect((refused as AppError).translation?.key).to.equal('mailings.errors.ownerBlocked');
    const cli = await runCli(['send', '--mailing', String(mailing.id)], {
      DATABASE_URL: testConfig().database.url,
      SMTP_URL: smtp.url,
    });
    expect(cli.code).to.equal(1);
    expect(cli.stderr).to.match(/owner is blocked/);
  });
});
