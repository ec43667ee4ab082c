import { expect } from 'chai';
import nodemailer from 'nodemailer';
import { startBounceListener, type BounceListener } from '../../../src/bounces/bounce-listener.js';
import type { BounceSettings } from '../../../src/bounce-config.js';
import type { MailingRun } from '../../../src/db/models/index.js';
import { Client, Delivery, type Mailing, type User } from '../../../src/db/models/index.js';
import { recordFeedback } from '../../../src/delivery/feedback.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { pauseRun, refreshRunCounters } from '../../../src/delivery/runs.js';
import { bounceAddressOf } from '../../../src/delivery/verp.js';
import { createLogger } from '../../../src/logger.js';
import { makeMailing, makeUser, unique } from '../../support/factories.js';
import { testConfig, testDatabase } from '../../support/hooks.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

interface SendingRun {
  owner: User;
  mailing: Mailing;
  run: MailingRun;
  deliveries: Delivery[];
}

/** A mailing whose run is under way with `count` messages accepted by the server (status `sent`). */
async function runWithSent(count: number): Promise<SendingRun> {
  const owner = await makeUser();
  const tag = unique('r');
  const rows = Array.from({ length: count }, (_, i) => ({ ownerId: owner.id, email: `${tag}-${i}@example.test` }));
  const clients = await Client.bulkCreate(rows);
  const mailing = await makeMailing(owner, { clients });
  const run = await startRunNow(testDatabase(), mailing.id);
  await Delivery.update({ status: 'sent', sentAt: new Date() }, { where: { runId: run.id } });
  await run.update({ state: 'running', startedAt: new Date() });
  await refreshRunCounters(testDatabase(), run.id);
  const deliveries = await Delivery.findAll({ where: { runId: run.id }, order: [['id', 'ASC']] });
  return { owner, mailing, run: await run.reload(), deliveries };
}

/** The run's state, halt kind and time to resume, as stored now. */
async function haltOf(run: MailingRun): Promise<unknown[]> {
  await run.reload();
  return [run.state, run.pausedKind, run.resumeAt];
}

/** A plain-text bounce as many servers still send it (no delivery-status part). */
function plainBounce(recipient: string): string {
  const lines = ['From: MAILER-DAEMON@mx.example.net', 'Subject: Mail delivery failed: returning message to sender'];
  return [...lines, '', `<${recipient}>: host mx.example.net said: 550 5.1.1 User unknown`, ''].join('\r\n');
}

describe('a run pauses itself when its hard-bounce or complaint rate passes the limit', function () {
  this.timeout(60_000);
  let site: TestSite;
  let listener: BounceListener;
  let settings: BounceSettings;
  before(async () => {
    site = testSite();
    const defaults = testConfig().bounces;
    settings = { ...defaults, domain: 'bounce.example.com', secret: 'rate-test-secret-0123456789abcdef' };
    listener = await startBounceListener(
      testDatabase(),
      { ...settings, smtpHost: '127.0.0.1', smtpPort: 0 },
      createLogger('silent'),
    );
  });
  after(() => listener.close());

  const hard = (delivery: Delivery) =>
    recordFeedback(
      testDatabase(),
      { deliveryId: delivery.id, kind: 'hard', diagnostic: '5.1.1 gone', source: 'ses' },
      settings,
    );
  const complaint = (delivery: Delivery) =>
    recordFeedback(
      testDatabase(),
      { deliveryId: delivery.id, kind: 'complaint', diagnostic: 'abuse', source: 'ses' },
      settings,
    );
  const bounceOverSmtp = (delivery: Delivery) =>
    nodemailer.createTransport({ host: '127.0.0.1', port: listener.port, secure: false, ignoreTLS: true }).sendMail({
      envelope: { from: '', to: [bounceAddressOf(delivery.id, settings) as string] },
      raw: plainBounce(delivery.email),
    });

  it('has the defaults Gmail tolerates: 5% of hard bounces after 100 deliveries, 0.3% of complaints after 1,000', () => {
    expect(settings).to.include({
      pauseBounceRate: 0.05,
      minSample: 100,
      pauseComplaintRate: 0.003,
      complaintMinSample: 1000,
    });
  });

  it('when a run of 100 gets its sixth hard bounce (through the listener), then it pauses and its page says why; resumed, it goes on', async () => {
    const { owner, mailing, run, deliveries } = await runWithSent(100);
    for (const delivery of deliveries.slice(0, 5)) await hard(delivery);
    expect((await run.reload()).state).to.equal('running'); // 5% is the limit, not past it
    await bounceOverSmtp(deliveries[5] as Delivery);
    expect(await haltOf(run)).to.deep.equal(['paused', 'bounce_rate', null]);
    expect(run.bouncedCount).to.equal(6);
    expect(run.pausedReason).to.equal('Hard-bounce rate 6.0% (6 of 100 delivered) passed 5.0%');

    const browser = await signedIn(site.app, owner);
    const page = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(page.text).to.contain('Paused: too many hard bounces');
    expect(page.text).to.contain(
      'Hard bounces: 6 (6.0%) of 100 delivered. Clean the list, then resume the run or cancel it.',
    );
    await owner.update({ language: 'ru' });
    const ru = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(ru.text).to.contain('Приостановлено: слишком много жёстких возвратов');
    expect(ru.text).to.contain('Жёсткие возвраты: 6 (6,0\u00a0%), доставлено: 100.');
    const report = await browser.agent.get(`/reports/runs/${run.id}`).expect(200);
    expect(report.text).to.contain('Жёсткие возвраты: 6 (6,0\u00a0%)');

    await browser.post(`/mailings/${mailing.id}/runs/${run.id}/resume`).expect(303);
    await hard(deliveries[6] as Delivery);
    expect((await run.reload()).state).to.equal('running'); // paused once for this reason: a person chose to go on
  });

  it('when fewer than the minimum were delivered, then no rate pauses the run however high', async () => {
    const { run, deliveries } = await runWithSent(50);
    for (const delivery of deliveries.slice(0, 10)) await hard(delivery);
    await run.reload();
    expect([run.state, run.bouncedCount]).to.deep.equal(['running', 10]);
  });

  it('when a run of 1,000 gets its fourth complaint, then it pauses (0.3% is the limit); an outage pause becomes this pause', async () => {
    const { run, deliveries } = await runWithSent(1000);
    for (const delivery of deliveries.slice(0, 3)) await complaint(delivery);
    expect((await run.reload()).state).to.equal('running');
    await pauseRun(
      run.id,
      { kind: 'smtp_unavailable', reason: 'SMTP unavailable: 421' },
      new Date(Date.now() + 60_000),
    );
    await complaint(deliveries[3] as Delivery);
    expect(await haltOf(run)).to.deep.equal(['paused', 'complaint_rate', null]);
    expect(run.complainedCount).to.equal(4);
  });

  it('when a person paused the run, then a rate leaves that pause as it is', async () => {
    const { run, deliveries } = await runWithSent(100);
    await pauseRun(run.id);
    for (const delivery of deliveries.slice(0, 8)) await hard(delivery);
    await run.reload();
    expect([run.state, run.pausedKind, run.bouncePausedAt]).to.deep.equal(['paused', 'paused_by_user', null]);
  });
});
