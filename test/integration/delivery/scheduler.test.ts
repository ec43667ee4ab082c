import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import type { Config } from '../../../src/config.js';
import { Delivery, Mailing, MailingRun, TestSend } from '../../../src/db/models/index.js';
import { refreshMailing } from '../../../src/delivery/mailing-lifecycle.js';
import { Scheduler } from '../../../src/delivery/scheduler.js';
import { createMailTransport } from '../../../src/delivery/transports.js';
import { createLogger } from '../../../src/logger.js';
import { queueTestSends } from '../../../src/messages/test-sends.service.js';
import { deliveryConfig, mailingWithClients } from '../../support/delivery.js';
import { makeMessage, makeUser } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';

/** Polls until the check passes or the time is up. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}

async function finishedRuns(mailingId: number): Promise<MailingRun[]> {
  return MailingRun.findAll({ where: { mailingId, state: 'finished' } });
}

describe('the scheduler', function () {
  this.timeout(30_000);
  let config: Config;
  let scheduler: Scheduler;
  let transport: ReturnType<typeof createMailTransport>;

  before(async () => {
    config = deliveryConfig(null, { reconcileCron: '*/1 * * * * *' });
    transport = createMailTransport(config, testDatabase());
    scheduler = new Scheduler({ sequelize: testDatabase(), config, logger: createLogger('silent'), transport });
    await scheduler.start();
  });
  after(async () => {
    await scheduler.stop();
    transport.close();
  });

  it('when test sends are queued, then the scheduler sends them with no mailing run, and logs them sent', async () => {
    const owner = await makeUser();
    const message = await makeMessage(owner);
    const [row] = await queueTestSends(owner, message.id, [owner.email]);
    await eventually(async () => (await TestSend.findByPk(row?.id))?.status === 'sent', 10_000);
    expect((await TestSend.findByPk(row?.id))?.reply).to.match(/^250 .*outbox/);
  });

  it('when a mailing starts in the future, then its run starts by itself at that time, with nobody doing anything', async () => {
    const startAt = new Date(Date.now() + 1500);
    const { mailing } = await mailingWithClients(3, { startAt, periodicity: 'once' });
    await refreshMailing(mailing.id);
    expect(await MailingRun.count({ where: { mailingId: mailing.id } })).to.equal(0);

    await eventually(async () => (await finishedRuns(mailing.id)).length === 1, 10_000);
    const [run] = await finishedRuns(mailing.id);
    expect(run?.scheduledAt.getTime()).to.equal(startAt.getTime());
    expect(run?.startedAt?.getTime()).to.be.at.least(startAt.getTime());
    expect(run?.sentCount).to.equal(3);
    await eventually(async () => (await Mailing.findByPk(mailing.id))?.status === 'completed', 5_000);
  });

  it('when a mailing is created inside its window, then its first run starts at once', async () => {
    const { mailing } = await mailingWithClients(2, {
      startAt: new Date(Date.now() - 3_600_000),
      periodicity: 'daily',
    });
    const before = readdirSync(config.outboxDir).length;
    await refreshMailing(mailing.id);
    await eventually(async () => (await finishedRuns(mailing.id)).length === 1, 5_000);
    expect(readdirSync(config.outboxDir).length - before).to.equal(2);
    const reloaded = await Mailing.findByPk(mailing.id);
    expect(reloaded?.status).to.equal('running');
    expect(reloaded?.nextRunAt?.getTime()).to.equal(mailing.startAt.getTime() + 86_400_000);
  });

  it('when another process makes a mailing due (no event here), then the periodic reconcile picks it up', async () => {
    const { mailing } = await mailingWithClients(1, { startAt: new Date(Date.now() - 60_000), periodicity: 'once' });
    // The factory wrote next_run_at directly, as another process would; nothing told this scheduler.
    await Mailing.update({ nextRunAt: mailing.startAt }, { where: { id: mailing.id } });
    await eventually(async () => (await finishedRuns(mailing.id)).length === 1, 5_000);
  });

  it('when a mailing is disabled before its start, then it does not run', async () => {
    const { mailing } = await mailingWithClients(1, { startAt: new Date(Date.now() + 800), periodicity: 'once' });
    await mailing.update({ isDisabled: true });
    await refreshMailing(mailing.id);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await MailingRun.count({ where: { mailingId: mailing.id } })).to.equal(0);
  });

  it("when the owner is blocked before a mailing's start, then its timer fires, nothing is sent but the history says why, and the next one stays scheduled", async () => {
    const startAt = new Date(Date.now() + 800);
    const { mailing, owner } = await mailingWithClients(1, { startAt, periodicity: 'daily' });
    await refreshMailing(mailing.id);
    await owner.update({ isBlocked: true, blockedAt: new Date() });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // The occurrence leaves a trace: a cancelled run with nobody to send to, saying the owner was blocked.
    const traces = await MailingRun.findAll({ where: { mailingId: mailing.id } });
    expect(traces.map((r) => r.get({ plain: true }))).to.have.length(1);
    expect(traces[0]).to.deep.include({ state: 'cancelled', pausedKind: 'owner_blocked', totalCount: 0, number: 1 });
    expect(traces[0]?.scheduledAt.getTime()).to.equal(startAt.getTime());
    expect(await Delivery.count({ where: { runId: traces[0]?.id ?? 0 } })).to.equal(0);
    // The occurrence missed while blocked is skipped; the next one stands.
    const skipped = await Mailing.findByPk(mailing.id, { rejectOnEmpty: true });
    expect(skipped.nextRunAt?.getTime()).to.equal(startAt.getTime() + 86_400_000);
    await owner.update({ isBlocked: false, blockedAt: null });
    await new Promise((resolve) => setTimeout(resolve, 1200)); // a reconcile
    expect((await Mailing.findByPk(mailing.id, { rejectOnEmpty: true })).nextRunAt?.getTime()).to.equal(
      startAt.getTime() + 86_400_000,
    );
    expect(await MailingRun.count({ where: { mailingId: mailing.id } })).to.equal(1);
  });
});
