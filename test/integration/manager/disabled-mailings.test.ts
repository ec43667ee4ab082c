import { expect } from 'chai';
import { Mailing, type User } from '../../../src/db/models/index.js';
import { refreshMailing, startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { cancelRun } from '../../../src/delivery/runs.js';
import { statsOn } from '../../support/cache-sites.js';
import { makeClient, makeMailing, makeUser, unique } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { signedIn, testSite, type Browser, type TestSite } from '../../support/web.js';

// Issue 16, bug 3: a disabled mailing shows one state, "disabled", and no next run, and counts as no running one.
describe('a disabled mailing', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  /** A customer's daily mailing that has run once (status running, a next run due) and is not running now. */
  async function ranOnce(owner: User) {
    const mailing = await makeMailing(owner, {
      clients: [await makeClient(owner)],
      startAt: new Date(Date.now() - 60_000),
    });
    await refreshMailing(mailing.id);
    const run = await startRunNow(testDatabase(), mailing.id);
    await cancelRun(testDatabase(), run.id);
    return refreshMailing(mailing.id);
  }

  async function manager(language: 'en' | 'ru' = 'en'): Promise<Browser> {
    const user = await makeUser({ role: 'manager', fullName: 'Mia Manager' });
    return signedIn(site.app, await user.update({ language }));
  }

  const nextRunCell = (html: string, label: string) =>
    new RegExp(`${label}</dt><dd class="col-7">([^<]*)</dd>`).exec(html)?.[1];

  it('when a manager disables one with no run under way, then the flash says nothing was cancelled and the page shows one state and no next run', async () => {
    const owner = await makeUser({ email: `${unique('owner')}@example.test` });
    const mailing = await ranOnce(owner);
    expect(mailing.status).to.equal('running');
    expect(mailing.nextRunAt).not.to.equal(null);
    const browser = await manager();
    await browser.post(`/mailings/${mailing.id}/disable`, { reason: 'Too many complaints' }).expect(303);
    const page = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(page.text).to.contain('Mailing disabled: no new runs start. No run was under way.');
    expect(page.text).not.to.contain('was cancelled');
    expect(page.text).to.contain('<span class="badge text-bg-danger">Disabled</span>');
    expect(page.text).not.to.contain('>Running<');
    expect(page.text).to.contain('Disabled by Mia Manager').and.to.contain('Reason: Too many complaints');
    expect(nextRunCell(page.text, 'Next run')).to.equal('—');
    expect(page.text).not.to.contain('The first run starts').and.not.to.contain('id="next-run-recipients"');

    const customer = await signedIn(site.app, owner);
    const list = await customer.agent.get('/mailings').expect(200);
    expect(list.text).to.contain('>Disabled<').and.not.to.contain('>Running<');
    expect(list.text).to.match(
      /<td><span class="badge text-bg-danger">Disabled<\/span><\/td><td>Daily<\/td><td>—<\/td>/,
    );
  });

  it('when a manager disables one with a run under way, then the flash says the run was cancelled', async () => {
    const owner = await makeUser();
    const mailing = await makeMailing(owner, { clients: [await makeClient(owner)] });
    await startRunNow(testDatabase(), mailing.id);
    const browser = await manager();
    await browser.post(`/mailings/${mailing.id}/disable`, { reason: '' }).expect(303);
    const page = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(page.text).to.contain('Mailing disabled: no new runs start; the run under way was cancelled.');
  });

  it('when a Russian-speaking manager disables one, then the flash, the state and the next run say so in Russian', async () => {
    const owner = await makeUser();
    const idle = await ranOnce(owner);
    const running = await makeMailing(owner, { clients: [await makeClient(owner)] });
    await startRunNow(testDatabase(), running.id);
    const browser = await manager('ru');
    await browser.post(`/mailings/${idle.id}/disable`, { reason: 'Жалобы' }).expect(303);
    const page = await browser.agent.get(`/mailings/${idle.id}`).expect(200);
    expect(page.text).to.contain('Рассылка отключена: новых запусков не будет. Ни один запуск не шёл.');
    expect(page.text).not.to.contain('текущий запуск отменён');
    expect(page.text).to.contain('>Отключена<').and.not.to.contain('>Запущена<');
    expect(page.text).to.contain('Отключена (Mia Manager)').and.to.contain('Причина: Жалобы');
    expect(nextRunCell(page.text, 'Следующий запуск')).to.equal('—');

    await browser.post(`/mailings/${running.id}/disable`, { reason: '' }).expect(303);
    const cancelled = await browser.agent.get(`/mailings/${running.id}`).expect(200);
    expect(cancelled.text).to.contain('Рассылка отключена: новых запусков не будет; текущий запуск отменён.');

    const customer = await signedIn(site.app, await owner.update({ language: 'ru' }));
    const list = await customer.agent.get('/mailings').expect(200);
    expect(list.text).to.contain('>Отключена<').and.not.to.contain('>Запущена<');
  });

  it('when a manager filters the list by state, then a disabled mailing is under "disabled", not "running"', async () => {
    const owner = await makeUser();
    const disabled = await ranOnce(owner);
    const browser = await manager();
    await browser.post(`/mailings/${disabled.id}/disable`, { reason: '' }).expect(303);
    const running = await browser.agent.get(`/mailings?owner=${owner.id}&status=running`).expect(200);
    expect(running.text).not.to.contain(disabled.name);
    const byState = await browser.agent.get(`/mailings?owner=${owner.id}&status=disabled`).expect(200);
    expect(byState.text)
      .to.contain(disabled.name)
      .and.to.contain('<option value="disabled" selected>Disabled</option>');
  });

  it('when a running mailing is disabled, then the home page counts one running mailing less; enabled, it counts again', async () => {
    const owner = await makeUser();
    const mailing = await ranOnce(owner);
    const viewer = await manager();
    const active = async () => statsOn((await viewer.agent.get('/').expect(200)).text).activeMailings;
    const before = await active();
    await viewer.post(`/mailings/${mailing.id}/disable`, { reason: '' }).expect(303);
    expect((await Mailing.findByPk(mailing.id))?.status).to.equal('running');
    expect(await active()).to.equal((before ?? 0) - 1);
    await viewer.post(`/mailings/${mailing.id}/enable`).expect(303);
    expect(await active()).to.equal(before);
  });
});
