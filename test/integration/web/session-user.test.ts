import { expect } from 'chai';
import { Session } from '../../../src/db/models/index.js';
import { makeUser } from '../../support/factories.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

// The session and its user are read in one query (src/web/session-user.ts); nothing of them may outlive a request.
describe('the signed-in user, read with the session', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it('when a signed-in user is blocked between two requests, then the very next request is refused', async () => {
    const user = await makeUser();
    const browser = await signedIn(site.app, user);
    await browser.agent.get('/mailings').expect(200);
    await user.update({ isBlocked: true, blockedAt: new Date() });
    const told = await browser.agent.get('/mailings').expect(403);
    expect(told.text).to.contain('blocked this account');
    await browser.agent.get('/mailings').expect(303).expect('Location', '/login?next=%2Fmailings');
  });

  it('when a session ends in the database between two requests, then the next request is anonymous', async () => {
    const user = await makeUser();
    const browser = await signedIn(site.app, user);
    await browser.agent.get('/mailings').expect(200);
    await Session.destroy({ where: { userId: user.id } });
    await browser.agent.get('/mailings').expect(303).expect('Location', '/login?next=%2Fmailings');
  });

  it('when a user changes their language, then the next page already uses it', async () => {
    const user = await makeUser();
    const browser = await signedIn(site.app, user);
    await browser.agent.get('/mailings').expect(200);
    await user.update({ language: 'ru' });
    const page = await browser.agent.get('/mailings').expect(200);
    expect(page.text).to.contain('lang="ru"');
  });
});
