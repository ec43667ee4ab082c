import { expect } from 'chai';
import request from 'supertest';
import { makeUser } from '../../support/factories.js';
import { signedIn, testSite } from '../../support/web.js';

describe('error pages', () => {
  it('when a page does not exist, then the friendly 404 page is shown in the visitor language', async () => {
    const { app } = testSite();
    const res = await request(app).get('/no/such/page').set('Accept-Language', 'ru').expect(404);
    expect(res.text).to.contain('Страница не найдена').and.to.contain('href="/"');
    expect(res.text).not.to.contain('No page at');
    expect(res.headers['content-security-policy']).to.contain("script-src 'self'");
  });

  it('when htmx asks for a fragment that fails, then it gets an alert fragment, not a page', async () => {
    const { app } = testSite();
    const browser = await signedIn(app, await makeUser());
    const res = await browser.agent.get('/mailings/999999999/progress').set('HX-Request', 'true').expect(404);
    expect(res.text).not.to.contain('<html');
    expect(res.text).to.contain('alert-danger');
  });

  it('when an upload is larger than allowed, then the answer is 413 with a page that says why', async () => {
    const { app } = testSite();
    const browser = await signedIn(app, await makeUser());
    const res = await browser.agent
      .post('/clients/import/preview')
      .field('_csrf', browser.csrf)
      .attach('file', Buffer.alloc(2 * 1024 * 1024 + 10, 'a'), 'big.csv')
      .expect(413);
    expect(res.text).to.contain('larger than 2 MB');
  });

  it('when a user may not see a screen, then the 403 page says so', async () => {
    const { app } = testSite();
    const browser = await signedIn(app, await makeUser({ role: 'content_manager' }));
    const res = await browser.agent.get('/clients').expect(403);
    expect(res.text).to.contain('Not allowed');
  });

  it('when a Russian reader is refused or asks for a record that is not there, then no English reaches the page', async () => {
    const { app } = testSite();
    const manager = await (await makeUser({ role: 'content_manager' })).update({ language: 'ru' });
    const browser = await signedIn(app, manager);
    const forbidden = await browser.agent.get('/clients').expect(403);
    expect(forbidden.text).to.contain('Нет доступа').and.not.to.contain('Forbidden');
    const customer = await signedIn(app, await (await makeUser()).update({ language: 'ru' }));
    const missing = await customer.agent.get('/clients/999999999/edit').expect(404);
    expect(missing.text)
      .to.contain('Страница не найдена')
      .and.not.to.match(/Not found|Forbidden|Sign in/);
  });
});
