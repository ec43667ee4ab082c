// Signing in to the back office, its origin check, its CSP, and who is kept out of what.
import { expect } from 'chai';
import request from 'supertest';
import { User } from '../../../src/db/models/index.js';
import { FACTORY_PASSWORD, makeClient, makeUser } from '../../support/factories.js';
import { API, backOffice, ORIGIN, ourAgent } from './back-office.js';

describe('the back office at /admin', () => {
  const office = backOffice();
  const { staff } = office;

  describe('signing in', () => {
    for (const role of ['admin', 'content_manager'] as const) {
      it(`when a verified ${role} signs in, then the dashboard opens`, async () => {
        const { agent } = await staff(role);
        const page = await agent.get('/admin').expect(200);
        expect(page.text).to.contain('REDUX_STATE');
        expect(page.headers['set-cookie']?.toString() ?? '').not.to.contain('mailer.sid');
      });
    }

    it('when a customer, a manager, a blocked, an unverified account or a wrong password tries, then nobody gets in', async () => {
      const customer = await makeUser({ role: 'user' });
      const manager = await makeUser({ role: 'manager' });
      const unverified = await makeUser({ role: 'admin', verified: false });
      const blocked = await makeUser({ role: 'admin' });
      await blocked.update({ isBlocked: true, blockedAt: new Date() });
      const admin = await makeUser({ role: 'admin' });
      const attempts = [
        [customer.email, FACTORY_PASSWORD],
        [manager.email, FACTORY_PASSWORD],
        [unverified.email, FACTORY_PASSWORD],
        [blocked.email, FACTORY_PASSWORD],
        [admin.email, 'not the password'],
      ];
      for (const [email, password] of attempts) {
        const agent = ourAgent(office.app);
        const res = await agent.post('/admin/login').type('form').send({ email, password });
        expect(res.status, email).not.to.equal(302);
        await agent.get('/admin').expect(302).expect('Location', '/admin/login');
        await agent.get(`${API}/posts/actions/list`).expect(302);
      }
    });

    it('when a signed-in admin’s browser is made to post from another origin, or says nothing of where from, then nothing changes', async () => {
      const { cookie } = await staff('admin');
      const customer = await makeUser({ role: 'user' });
      const edit = `${API}/users/records/${customer.id}/edit`;
      const forged: [string, Record<string, string>][] = [
        ['another port of this host', { Origin: 'http://mailer.test:4000' }],
        ['another site', { Origin: 'https://attacker.example' }],
        ['an opaque origin', { Origin: 'null' }],
        ['fetch metadata of another site', { 'Sec-Fetch-Site': 'cross-site' }],
        ['a referer elsewhere', { Referer: 'https://attacker.example/form.html' }],
        ['no word at all', {}],
      ];
      for (const [from, headers] of forged) {
        const attempt = request(office.app).post(edit).set('Cookie', cookie).field('role', 'admin');
        for (const [name, value] of Object.entries(headers)) attempt.set(name, value);
        const res = await attempt;
        expect(res.status, from).to.equal(403);
        expect((await User.findByPk(customer.id))?.role, from).to.equal('user');
      }
      // Signing out is a POST: a form on another site cannot sign the admin out, and a GET (a link, an image)
      // does nothing at all.
      await request(office.app)
        .post('/admin/logout')
        .set('Cookie', cookie)
        .set('Sec-Fetch-Site', 'cross-site')
        .expect(403);
      const get = await request(office.app)
        .get('/admin/logout')
        .set('Cookie', cookie)
        .set('Sec-Fetch-Site', 'same-origin');
      expect(get.status).to.equal(405);
      await request(office.app).get('/admin').set('Cookie', cookie).expect(200);
      // From our own pages, by any of the three signs, it goes through.
      const ourSigns: Record<string, string>[] = [
        { Origin: ORIGIN },
        { 'Sec-Fetch-Site': 'same-origin' },
        { Referer: `${ORIGIN}/admin` },
      ];
      for (const headers of ourSigns) {
        const attempt = request(office.app).post(edit).set('Cookie', cookie).field('fullName', 'Renamed');
        for (const [name, value] of Object.entries(headers)) attempt.set(name, value);
        expect((await attempt).status, JSON.stringify(headers)).to.equal(200);
      }
      expect((await User.findByPk(customer.id))?.fullName).to.equal('Renamed');
      // The back office's own sign-out (a POST from its menu) works, and the session is gone after it.
      await request(office.app)
        .post('/admin/logout')
        .set('Cookie', cookie)
        .set('Origin', ORIGIN)
        .expect(302)
        .expect('Location', '/admin/login');
      const after = await request(office.app).get('/admin').set('Cookie', cookie);
      expect(after.status).to.equal(302);
    });

    it('when the back office answers, then it has its own CSP and the site keeps its strict one', async () => {
      const adminPage = await request(office.app).get('/admin/login').expect(200);
      expect(adminPage.headers['content-security-policy']).to.contain("script-src 'self' 'unsafe-inline'");
      const sitePage = await request(office.app).get('/login').expect(200);
      expect(sitePage.headers['content-security-policy']).to.contain("script-src 'self';");
      expect(sitePage.headers['content-security-policy']).not.to.contain('unsafe-inline');
    });

    it('when a signed-in staff member is blocked or demoted, then the back office drops them at once', async () => {
      const { agent, user } = await staff('content_manager');
      await agent.get(`${API}/posts/actions/list`).expect(200);
      await user.update({ role: 'user' });
      await agent.get(`${API}/posts/actions/list`).expect(401);
      await agent.get('/admin').expect(302).expect('Location', '/admin/login');
    });
  });

  describe('a content manager', () => {
    it('when reaching for accounts, customers’ data or delivery, then every door is shut', async () => {
      const { agent } = await staff('content_manager');
      const owner = await makeUser();
      const client = await makeClient(owner);
      for (const resource of ['users', 'clients', 'messages', 'mailings', 'mailing_runs', 'deliveries']) {
        await agent.get(`${API}/${resource}/actions/list`).expect(403);
        await agent.get(`/admin/resources/${resource}`).expect(403);
        await agent.post(`${API}/${resource}/actions/new`).field('email', 'x@example.test').expect(403);
      }
      await agent.get(`${API}/users/records/${owner.id}/show`).expect(403);
      await agent.post(`${API}/clients/records/${client.id}/delete`).expect(403);
      await agent.get(`${API}/USERS/actions/list`).expect(403);
      await agent.get(`/admin/API/resources/users/actions/list`).expect(403);
      await agent.get(`${API}/us%65rs/actions/list`).expect(403);
      await agent.get(`${API}/users/search/a`).expect(403);
    });
  });
});
