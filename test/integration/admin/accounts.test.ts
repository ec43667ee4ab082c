// Accounts in the back office: passwords, blocking, roles, new accounts, and no hash ever sent.
import { expect } from 'chai';
import request from 'supertest';
import { Session, User } from '../../../src/db/models/index.js';
import { makePost, makeUser } from '../../support/factories.js';
import { signedIn, visitor } from '../../support/web.js';
import { API, backOffice, body, ORIGIN } from './back-office.js';

describe('the back office at /admin', () => {
  const office = backOffice();
  const { staff } = office;

  describe('an admin', () => {
    it('when setting a password, then a bcrypt hash is stored and it signs in on the site', async () => {
      const { agent } = await staff('admin');
      const customer = await makeUser();
      const res = body(
        await agent
          .post(`${API}/users/records/${customer.id}/edit`)
          .field('newPassword', 'a brand new passphrase 42')
          .field('passwordHash', 'plain text')
          .expect(200),
      );
      expect(res.notice?.type, JSON.stringify(res)).to.equal('success');
      expect(res.record?.params).not.to.have.property('passwordHash');
      const stored = (await customer.reload()).passwordHash;
      expect(stored).to.match(/^sha256\$\$2[aby]\$/);
      const guest = await visitor(office.app);
      await guest.post('/login', { email: customer.email, password: 'a brand new passphrase 42' }).expect(303);
      await guest.agent.get('/profile').expect(200);
    });

    it('when the password is weak, then it is refused and nothing changes', async () => {
      const { agent } = await staff('admin');
      const customer = await makeUser();
      const before = customer.passwordHash;
      const res = body(
        await agent.post(`${API}/users/records/${customer.id}/edit`).field('newPassword', 'short').expect(200),
      );
      expect(res.record?.errors.newPassword?.message).to.be.a('string');
      expect((await customer.reload()).passwordHash).to.equal(before);
    });

    it('when blocking a user, then their open site session is told why and ends, and who, when and why are recorded', async () => {
      const { agent, user: admin } = await staff('admin');
      const customer = await makeUser();
      const browser = await signedIn(office.app, customer);
      expect(await Session.count({ where: { userId: customer.id } })).to.be.greaterThan(0);

      const res = body(
        await agent
          .post(`${API}/users/records/${customer.id}/edit`)
          .field('isBlocked', 'true')
          .field('blockedReason', 'Spam complaints')
          .expect(200),
      );
      expect(res.notice?.type, JSON.stringify(res)).to.equal('success');
      await customer.reload();
      expect(customer.isBlocked).to.equal(true);
      expect(customer.blockedById).to.equal(admin.id);
      expect(customer.blockedReason).to.equal('Spam complaints');
      expect(customer.blockedAt).to.be.instanceOf(Date);
      const told = await browser.agent.get('/profile').expect(403);
      expect(told.text).to.contain('Spam complaints').and.to.contain(admin.email);
      expect(await Session.count({ where: { userId: customer.id } })).to.equal(0);
      const page = await browser.agent.get('/profile');
      expect(page.status).to.be.oneOf([302, 303]);
      expect(page.headers.location).to.match(/^\/login/);
    });

    it('when blocking or demoting their own account, then it is refused', async () => {
      const { agent, user } = await staff('admin');
      const blocked = body(await agent.post(`${API}/users/records/${user.id}/edit`).field('isBlocked', 'true'));
      expect(blocked.record?.errors.isBlocked?.message).to.be.a('string');
      const demoted = body(await agent.post(`${API}/users/records/${user.id}/edit`).field('role', 'user'));
      expect(demoted.record?.errors.role?.message).to.be.a('string');
      await user.reload();
      expect([user.isBlocked, user.role]).to.deep.equal([false, 'admin']);
    });

    it('when blocking another admin, or a user being made an admin, then it is refused as on the site', async () => {
      const { agent } = await staff('admin');
      const other = await makeUser({ role: 'admin' });
      const refused = body(await agent.post(`${API}/users/records/${other.id}/edit`).field('isBlocked', 'true'));
      expect(refused.record?.errors.isBlocked?.message).to.equal('Admins cannot be blocked here.');
      const promoted = await makeUser();
      const both = body(
        await agent.post(`${API}/users/records/${promoted.id}/edit`).field('isBlocked', 'true').field('role', 'admin'),
      );
      expect(both.record?.errors.isBlocked?.message).to.equal('Admins cannot be blocked here.');
      expect([(await other.reload()).isBlocked, (await promoted.reload()).isBlocked]).to.deep.equal([false, false]);
    });

    it('when reading accounts and posts, then no password hash is ever sent', async () => {
      const { agent, user } = await staff('admin');
      await makePost({ author: user });
      const responses = [
        await agent.get(`${API}/users/actions/list`).expect(200),
        await agent.get(`${API}/users/records/${user.id}/show`).expect(200),
        await agent.get(`${API}/users/actions/search/${encodeURIComponent(user.email)}`).expect(200),
        await agent.get(`${API}/posts/actions/list`).expect(200),
      ];
      for (const res of responses) expect(res.text).not.to.contain('$2');
    });

    it('when creating an account, then the password is hashed and the account can sign in', async () => {
      const { agent } = await staff('admin');
      const res = body(
        await agent
          .post(`${API}/users/actions/new`)
          .field('email', 'New.Editor@Example.test')
          .field('fullName', 'New Editor')
          .field('role', 'content_manager')
          .field('timeZone', 'Europe/Berlin')
          .field('newPassword', 'another long passphrase 7')
          .expect(200),
      );
      expect(res.notice?.type, JSON.stringify(res)).to.equal('success');
      const created = await User.findOne({ where: { email: 'new.editor@example.test' } });
      expect(created?.passwordHash).to.match(/^sha256\$\$2[aby]\$/);
      const login = await request(office.app)
        .post('/admin/login')
        .set('Origin', ORIGIN)
        .type('form')
        .send({ email: 'new.editor@example.test', password: 'another long passphrase 7' });
      expect(login.status).to.equal(302);
    });
    it('when an e-mail is another account’s (in any case), or a new account has no password, then that field says so and nothing is saved', async () => {
      const { agent } = await staff('admin');
      const taken = await makeUser();
      const customer = await makeUser();
      const clash = body(
        await agent
          .post(`${API}/users/records/${customer.id}/edit`)
          .field('email', taken.email.toUpperCase())
          .expect(200),
      );
      expect(clash.record?.errors.email?.message).to.equal('An account with this e-mail already exists.');
      const fresh = body(await agent.post(`${API}/users/actions/new`).field('email', 'no.password@example.test'));
      expect(fresh.record?.errors.newPassword?.message).to.equal('Set a password for the new account.');
      expect((await customer.reload()).email).not.to.equal(taken.email);
      expect(await User.count({ where: { email: 'no.password@example.test' } })).to.equal(0);
    });

    it('when a blocked account’s reason is changed, then who and when stay; unblocking clears them', async () => {
      const { agent, user: admin } = await staff('admin');
      const customer = await makeUser();
      const edit = `${API}/users/records/${customer.id}/edit`;
      await agent.post(edit).field('isBlocked', 'true').field('blockedReason', 'Spam').expect(200);
      const { blockedAt } = await customer.reload();
      const { agent: other } = await staff('admin');
      await other.post(edit).field('blockedReason', 'Spam, twice').expect(200);
      await customer.reload();
      expect(customer).to.include({ isBlocked: true, blockedById: admin.id, blockedReason: 'Spam, twice' });
      expect(customer.blockedAt?.getTime()).to.equal(blockedAt?.getTime());
      await agent.post(edit).field('isBlocked', 'false').expect(200);
      await customer.reload();
      expect([customer.isBlocked, customer.blockedAt, customer.blockedById, customer.blockedReason]).to.deep.equal([
        false,
        null,
        null,
        null,
      ]);
    });
  });
});
