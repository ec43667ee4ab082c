import { expect } from 'chai';
import { Mailing, MailingRun, Session, User } from '../../../src/db/models/index.js';
import { refreshMailing, startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { FACTORY_PASSWORD, makeClient, makeMailing, makeMessage, makeUser, unique } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { signedIn, testSite, visitor, type TestSite } from '../../support/web.js';

describe('managers on the customer site', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  async function customerMailing(name = unique('Customer mailing ')) {
    const owner = await makeUser({ email: `${unique('owner')}@example.test` });
    const mailing = await makeMailing(owner, { clients: [await makeClient(owner)] });
    await mailing.update({ name });
    return { owner, mailing: await refreshMailing(mailing.id) };
  }

  it('when a manager opens the mailings, then every customer’s mailing is listed with its owner, filterable by owner and status', async () => {
    const first = await customerMailing();
    const second = await customerMailing();
    await startRunNow(testDatabase(), second.mailing.id);
    const manager = await signedIn(site.app, await makeUser({ role: 'manager' }));
    const all = await manager.agent.get('/mailings').expect(200);
    expect(all.text)
      .to.contain(first.mailing.name)
      .and.to.contain(first.owner.email)
      .and.to.contain(second.mailing.name);
    expect(all.text).not.to.contain('href="/mailings/new"');
    const byOwner = await manager.agent.get(`/mailings?owner=${first.owner.id}`).expect(200);
    expect(byOwner.text).to.contain(first.mailing.name);
    expect(byOwner.text).not.to.contain(second.mailing.name);
    const running = await manager.agent.get('/mailings?status=running').expect(200);
    expect(running.text).to.contain(second.mailing.name);
    expect(running.text).not.to.contain(first.mailing.name);
  });

  it('when a manager opens a mailing, then they see it and its runs, with no way to change it, and changes are refused with 403', async () => {
    const { owner, mailing } = await customerMailing();
    const run = await startRunNow(testDatabase(), mailing.id);
    const manager = await signedIn(site.app, await makeUser({ role: 'manager' }));
    const page = await manager.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(page.text).to.contain(mailing.name).and.to.contain(owner.email).and.to.contain('Disable');
    for (const forbidden of ['>Edit<', '>Delete<', '>Send now<', '>Cancel run<', '>Pause<']) {
      expect(page.text).not.to.contain(forbidden);
    }
    await manager.agent.get(`/mailings/${mailing.id}/progress`).set('HX-Request', 'true').expect(200);
    await manager.agent.get(`/reports/runs/${run.id}`).expect(200);
    await manager.agent.get('/mailings/new').expect(403);
    await manager.agent.get(`/mailings/${mailing.id}/edit`).expect(403);
    const message = await makeMessage(owner);
    const form = {
      name: 'x',
      messageId: String(message.id),
      allClients: 'on',
      startAt: '2031-01-01T00:00',
      endAt: '2031-02-01T00:00',
      periodicity: 'once',
      timeZone: 'UTC',
    };
    await manager.post('/mailings', form).expect(403);
    await manager.post(`/mailings/${mailing.id}`, form).expect(403);
    await manager.post(`/mailings/${mailing.id}/delete`, { confirm: '1' }).expect(403);
    await manager.post(`/mailings/${mailing.id}/send`).expect(403);
    await manager.post(`/mailings/${mailing.id}/runs/${run.id}/cancel`).expect(403);
    for (const path of ['/clients', '/messages', '/clients/new', '/messages/new'])
      await manager.agent.get(path).expect(403);
    await manager.post('/clients', { email: 'x@example.test' }).expect(403);
    await manager.post('/messages', { subject: 'x', bodyText: 'y' }).expect(403);
    expect(await Mailing.findByPk(mailing.id)).not.to.equal(null);
  });

  it('when a manager disables a mailing with a run under way, then the run is cancelled and the owner sees by whom and why; enabling brings it back', async () => {
    const { owner, mailing } = await customerMailing();
    const run = await startRunNow(testDatabase(), mailing.id);
    const managerUser = await makeUser({ role: 'manager', fullName: 'Mia Manager' });
    const manager = await signedIn(site.app, managerUser);
    await manager.post(`/mailings/${mailing.id}/disable`, { reason: 'Complaints about spam' }).expect(303);
    await mailing.reload();
    expect(mailing).to.include({
      isDisabled: true,
      disabledById: managerUser.id,
      disabledReason: 'Complaints about spam',
    });
    expect((await MailingRun.findByPk(run.id))?.state).to.equal('cancelled');

    const customer = await signedIn(site.app, owner);
    const seen = await customer.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(seen.text).to.contain('Disabled by Mia Manager').and.to.contain('Complaints about spam');
    expect(seen.text).not.to.contain('>Send now<');
    await customer.post(`/mailings/${mailing.id}/disable`, { reason: 'mine' }).expect(403);

    await manager.post(`/mailings/${mailing.id}/enable`).expect(303);
    await mailing.reload();
    expect(mailing).to.include({ isDisabled: false, disabledReason: null });
  });

  it('when a manager lists users, then each shows role, verification and counts; blocking tells the user why and logs them out, unblocking lets them back', async () => {
    const { owner } = await customerMailing();
    const customer = await signedIn(site.app, owner);
    const managerUser = await makeUser({ role: 'manager' });
    const manager = await signedIn(site.app, managerUser);
    const list = await manager.agent.get(`/users?q=${encodeURIComponent(owner.email)}`).expect(200);
    expect(list.text).to.contain(owner.email).and.to.contain('Customer');
    expect(list.text).to.match(/<td class="text-end">1<\/td><td class="text-end">1<\/td>/);

    await manager.post(`/users/${owner.id}/block`, { reason: 'Spam complaints' }).expect(303);
    expect(await User.findByPk(owner.id)).to.include({
      isBlocked: true,
      blockedById: managerUser.id,
      blockedReason: 'Spam complaints',
    });
    // The customer's open session is told why, once, in their language, and is gone after that.
    const told = await customer.agent.get('/mailings').expect(403);
    expect(told.text)
      .to.contain('A manager of the service has blocked this account')
      .and.to.contain('Spam complaints')
      .and.to.contain(`mailto:${managerUser.email}`);
    expect(await Session.count({ where: { userId: owner.id } })).to.equal(0);
    await customer.agent.get('/mailings').expect(303);
    const login = await (await visitor(site.app)).post('/login', { email: owner.email, password: FACTORY_PASSWORD });
    expect(login.status).to.equal(403);
    expect(login.text).to.contain('Spam complaints').and.to.contain(managerUser.email);
    // The mailing's page says why nothing goes out.
    const mailing = await Mailing.findOne({ where: { ownerId: owner.id }, rejectOnEmpty: true });
    const page = await manager.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(page.text)
      .to.contain(`The owner ${owner.email} is blocked: no run starts`)
      .and.to.contain('Spam complaints');

    await manager.post(`/users/${owner.id}/unblock`).expect(303);
    expect((await User.findByPk(owner.id))?.isBlocked).to.equal(false);
  });

  it('when a manager tries to block themselves or an admin, then it is refused with a notice', async () => {
    const managerUser = await makeUser({ role: 'manager' });
    const admin = await makeUser({ role: 'admin' });
    const manager = await signedIn(site.app, managerUser);
    await manager.post(`/users/${managerUser.id}/block`, { reason: 'x' }).set('Referer', 'http://x/users').expect(303);
    await manager.post(`/users/${admin.id}/block`, { reason: 'x' }).set('Referer', 'http://x/users').expect(303);
    expect((await User.findByPk(managerUser.id))?.isBlocked).to.equal(false);
    expect((await User.findByPk(admin.id))?.isBlocked).to.equal(false);
    const page = await manager.agent.get('/users').expect(200);
    expect(page.text).to.contain('You cannot block yourself.');
  });

  it('when a customer or content manager asks for the users screen, then it is 403', async () => {
    for (const role of ['user', 'content_manager'] as const) {
      const browser = await signedIn(site.app, await makeUser({ role }));
      await browser.agent.get('/users').expect(403);
      await browser.post(`/users/${browser.csrf.length}/block`, { reason: 'x' }).expect(403);
    }
  });
});
