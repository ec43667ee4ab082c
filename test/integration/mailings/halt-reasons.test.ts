import { expect } from 'chai';
import { dispatchDueRun, setMailingDisabled, startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { pauseRun } from '../../../src/delivery/runs.js';
import { makeClient, makeMailing, makeUser } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

const REPLY = '421 4.3.2 Service not available, closing transmission channel';
const OUTAGE = `SMTP unavailable: ${REPLY}`;

/** A Russian-speaking owner's mailing with a run under way. */
async function runningRun() {
  const owner = await makeUser();
  await owner.update({ language: 'ru' });
  const mailing = await makeMailing(owner, { clients: [await makeClient(owner)] });
  const run = await startRunNow(testDatabase(), mailing.id);
  await run.update({ state: 'running' });
  return { owner, mailing, run };
}

describe("a run's paused or cancelled reason on the mailing page", () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it('when the server was unavailable (ru), then progress and history say so in Russian, the raw reply beside', async () => {
    const { owner, mailing, run } = await runningRun();
    await pauseRun(run.id, { kind: 'smtp_unavailable', reason: OUTAGE }, new Date(Date.now() + 60_000));
    const browser = await signedIn(site.app, owner);

    const page = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    const words = '<span>Почтовый сервер недоступен: запуск продолжится сам</span>';
    expect(page.text.split(words)).to.have.length(3); // the progress and the history's row
    expect(page.text).to.contain(`<span class="d-block small font-monospace text-body-secondary">${REPLY}</span>`);
    expect(page.text).not.to.contain('SMTP unavailable');
    const progress = await browser.agent
      .get(`/mailings/${mailing.id}/progress?run=${run.id}`)
      .set('HX-Request', 'true')
      .expect(200);
    expect(progress.text).to.contain(words).and.to.contain(REPLY);
  });

  it('when paused by the button (ru), then the page says «Приостановлено вручную», not the English text', async () => {
    const { owner, mailing, run } = await runningRun();
    const browser = await signedIn(site.app, owner);
    await browser.post(`/mailings/${mailing.id}/runs/${run.id}/pause`).expect(303);

    const page = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(page.text).to.contain('<span>Приостановлено вручную</span>').and.not.to.contain('Paused by user');
  });

  it("when a manager's disabling cancelled the run (ru), then it says «Рассылка отключена» with the reason", async () => {
    const { owner, mailing, run } = await runningRun();
    await setMailingDisabled(testDatabase(), mailing.id, true, { userId: null, reason: 'жалобы на спам' });
    const browser = await signedIn(site.app, owner);

    const page = await browser.agent.get(`/reports/runs/${run.id}`).expect(200);
    expect(page.text).to.contain('<span>Рассылка отключена</span>');
    expect(page.text).to.contain('<span class="d-block small text-body-secondary">жалобы на спам</span>');
    expect(page.text).not.to.contain('Mailing disabled');
  });

  it('when an occurrence came while the owner was blocked (ru), then its history row and the report say so, with nothing sent', async () => {
    const owner = await makeUser();
    await owner.update({ language: 'ru' });
    const mailing = await makeMailing(owner, {
      clients: [await makeClient(owner)],
      startAt: new Date(Date.now() - 1000),
    });
    await owner.update({ isBlocked: true, blockedAt: new Date() });
    expect(await dispatchDueRun(testDatabase(), mailing.id)).to.equal(null);
    await owner.update({ isBlocked: false, blockedAt: null });
    const browser = await signedIn(site.app, owner);

    const words = '<span>Владелец заблокирован: этот запуск не отправлялся</span>';
    const page = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(page.text).to.contain(words).and.not.to.contain('Owner blocked');
    const report = await browser.agent.get('/reports').expect(200);
    expect(report.text).to.contain(words);
  });

  it('when a reason was stored without a kind, then it is shown as it was stored', async () => {
    const { owner, mailing, run } = await runningRun();
    await run.update({ state: 'paused', pausedReason: 'Paused for maintenance' });
    const browser = await signedIn(site.app, owner);

    const page = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(page.text).to.contain('<span>Paused for maintenance</span>');
  });
});
