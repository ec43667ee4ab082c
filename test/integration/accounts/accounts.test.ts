import { expect } from 'chai';
import request from 'supertest';
import { Session, Token, User } from '../../../src/db/models/index.js';
import { makeUser, unique, FACTORY_PASSWORD } from '../../support/factories.js';
import { csrfTokenIn, outboxEmails, signedIn, testSite, visitor, type TestSite } from '../../support/web.js';

const GOOD_PASSWORD = 'a-long-unusual-passphrase-42';

function linkIn(email: string, pattern: RegExp): string {
  const unfolded = email.replace(/=\r?\n/g, '');
  const match = pattern.exec(unfolded);
  if (!match) throw new Error(`no link matching ${pattern} in:\n${email}`);
  return match[0];
}

describe('accounts', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  describe('registration', () => {
    it('when a visitor registers, verifies from the e-mail and logs in, then they reach their profile', async () => {
      const email = `${unique('new')}@example.test`;
      const guest = await visitor(site.app);
      const registered = await guest
        .post('/register', {
          email,
          fullName: 'Ann New',
          password: GOOD_PASSWORD,
          passwordConfirmation: GOOD_PASSWORD,
          timeZone: 'Europe/Berlin',
        })
        .expect(303);
      expect(registered.headers.location).to.equal('/verify/sent');

      const user = await User.findOne({ where: { email } });
      expect(user).to.include({ fullName: 'Ann New', timeZone: 'Europe/Berlin', role: 'user', emailVerifiedAt: null });
      expect(user?.passwordHash).to.match(/^sha256\$\$2[aby]\$12\$/);

      const blocked = await guest.post('/login', { email, password: GOOD_PASSWORD }).expect(422);
      expect(blocked.text).to.contain('Confirm your e-mail address first').and.to.contain('action="/verify/resend"');

      const [message] = await outboxEmails(site);
      expect(message).to.contain(`To: ${email}`).and.to.contain('Confirm your e-mail');
      const link = linkIn(message ?? '', /http:\/\/mailer\.test\/verify\/[A-Za-z0-9_-]+/);
      const token = await Token.findOne({ where: { userId: user?.id, purpose: 'verify_email' } });
      expect(token?.tokenHash).to.have.length(64).and.not.to.contain(link.split('/').pop());

      await guest.agent.get(link.replace('http://mailer.test', '')).expect(303).expect('Location', '/login');
      await guest.agent.get(link.replace('http://mailer.test', '')).expect(410);

      await guest.post('/login', { email, password: GOOD_PASSWORD }).expect(303).expect('Location', '/');
      const profile = await guest.agent.get('/profile').expect(200);
      expect(profile.text).to.contain(email);
    });

    it('when the form is wrong, then each field says why and the typed values stay', async () => {
      const guest = await visitor(site.app);
      const res = await guest
        .post('/register', {
          email: 'not-an-email',
          fullName: 'Kept Name',
          password: 'password1',
          passwordConfirmation: 'other',
          timeZone: 'Mars/Base',
        })
        .expect(422);
      expect(res.text)
        .to.contain('Enter a valid e-mail address.')
        .and.to.contain('value="Kept Name"')
        .and.to.contain('value="not-an-email"');
      expect(res.text).to.contain('Choose a time zone from the list.');
      const quoted = await guest
        .post('/register', {
          email: '"</script><script>alert(1)</script>"@x.test',
          password: 'a long enough passphrase 9',
          passwordConfirmation: 'a long enough passphrase 9',
          timeZone: 'UTC',
        })
        .expect(422);
      expect(quoted.text).to.contain('Enter a valid e-mail address.').and.not.to.contain('<script>alert(1)');
      const weak = await guest
        .post('/register', {
          email: `${unique('w')}@example.test`,
          password: 'qwertyuiop',
          passwordConfirmation: 'qwertyuiop',
          timeZone: 'UTC',
        })
        .expect(422);
      expect(weak.text).to.contain('This password is too common');
      const short = await guest
        .post('/register', {
          email: `${unique('w')}@example.test`,
          password: 'short',
          passwordConfirmation: 'short',
          timeZone: 'UTC',
        })
        .expect(422);
      expect(short.text).to.contain('Use at least 10 characters.');
      expect(short.text).not.to.contain('value="short"');
    });

    it('when the e-mail is already registered, then the page is the same and the owner is told by e-mail', async () => {
      const existing = await makeUser();
      const guest = await visitor(site.app);
      const res = await guest
        .post('/register', {
          email: existing.email.toUpperCase(),
          password: GOOD_PASSWORD,
          passwordConfirmation: GOOD_PASSWORD,
          timeZone: 'UTC',
        })
        .expect(303);
      expect(res.headers.location).to.equal('/verify/sent');
      expect(await User.count({ where: { email: existing.email } })).to.equal(1);
      const [message] = await outboxEmails(site);
      expect(message).to.contain('Someone tried to sign up');
    });

    it('when the link is asked for again, then only the newest link works', async () => {
      const user = await makeUser({ verified: false });
      const guest = await visitor(site.app);
      await guest.post('/verify/resend', { email: user.email }).expect(303);
      await guest.post('/verify/resend', { email: user.email }).expect(303);
      const [first, second] = await outboxEmails(site);
      const pattern = /\/verify\/[A-Za-z0-9_-]{20,}/;
      await guest.agent.get(linkIn(first ?? '', pattern)).expect(410);
      await guest.agent.get(linkIn(second ?? '', pattern)).expect(303);
      expect((await User.findByPk(user.id))?.emailVerifiedAt).to.be.instanceOf(Date);
    });

    it('when a verification link is older than 24 hours, then it is refused', async () => {
      const user = await makeUser({ verified: false });
      const guest = await visitor(site.app);
      await guest.post('/verify/resend', { email: user.email }).expect(303);
      await Token.update({ expiresAt: new Date(Date.now() - 1000) }, { where: { userId: user.id } });
      const [message] = await outboxEmails(site);
      await guest.agent.get(linkIn(message ?? '', /\/verify\/[A-Za-z0-9_-]{20,}/)).expect(410);
      expect((await User.findByPk(user.id))?.emailVerifiedAt).to.equal(null);
    });
  });

  describe('login', () => {
    it('when the password is wrong or the e-mail unknown, then the message is the same', async () => {
      const user = await makeUser();
      const guest = await visitor(site.app);
      const wrong = await guest.post('/login', { email: user.email, password: 'not the password' }).expect(422);
      const unknown = await guest
        .post('/login', { email: `${unique('nobody')}@example.test`, password: 'whatever pass' })
        .expect(422);
      expect(wrong.text).to.contain('The e-mail or the password is wrong.');
      expect(unknown.text).to.contain('The e-mail or the password is wrong.');
      expect(wrong.text).to.contain(`value="${user.email}"`);
    });

    it('when logging in, then the session id changes and the cookie is HttpOnly and SameSite=Lax', async () => {
      const user = await makeUser();
      const guest = await visitor(site.app);
      const before = (await guest.agent.get('/login')).headers['set-cookie'];
      const res = await guest.post('/login', { email: user.email, password: FACTORY_PASSWORD }).expect(303);
      const cookie = String(res.headers['set-cookie']);
      expect(cookie)
        .to.match(/mailer\.sid=/)
        .and.to.match(/HttpOnly/)
        .and.to.match(/SameSite=Lax/);
      expect(cookie).not.to.equal(String(before));
      const rows = await Session.findAll({ where: { userId: user.id } });
      expect(rows).to.have.length(1);
    });

    it('when a login goes to ?next=, then it returns there, but never to another site', async () => {
      const user = await makeUser();
      const guest = await visitor(site.app);
      await guest
        .post('/login', { email: user.email, password: FACTORY_PASSWORD, next: '//evil.test/x' })
        .expect('Location', '/');
      const again = await visitor(site.app);
      await again
        .post('/login', { email: user.email, password: FACTORY_PASSWORD, next: '/profile' })
        .expect('Location', '/profile');
    });

    it('when an account fails five times, then further attempts are refused even with the right password', async () => {
      const user = await makeUser();
      const guest = await visitor(site.app);
      for (let i = 0; i < 5; i += 1)
        await guest.post('/login', { email: user.email, password: `wrong ${i}` }).expect(422);
      const refused = await guest.post('/login', { email: user.email, password: FACTORY_PASSWORD }).expect(429);
      expect(refused.text).to.contain('Too many failed attempts');
      expect(refused.headers['retry-after']).to.match(/^\d+$/);
    });

    it('when a blocked user tries, then they are told why only with the right password; an open session is told once, then is anonymous', async () => {
      const user = await makeUser();
      const browser = await signedIn(site.app, user);
      await user.update({ isBlocked: true, blockedAt: new Date() });
      const told = await browser.agent.get('/profile').expect(403);
      expect(told.text).to.contain('blocked this account').and.to.contain('mailto:no-reply@');
      expect(await Session.count({ where: { userId: user.id } })).to.equal(0);
      await browser.agent.get('/profile').expect(303).expect('Location', '/login?next=%2Fprofile');
      const guest = await visitor(site.app);
      const res = await guest.post('/login', { email: user.email, password: FACTORY_PASSWORD }).expect(403);
      expect(res.text).to.contain('blocked this account');
      const wrong = await guest.post('/login', { email: user.email, password: 'not the password' }).expect(422);
      expect(wrong.text).not.to.contain('blocked');
    });

    it('when logging out, then the session is gone from the database', async () => {
      const user = await makeUser();
      const browser = await signedIn(site.app, user);
      await browser.post('/logout').expect(303).expect('Location', '/');
      expect(await Session.count({ where: { userId: user.id } })).to.equal(0);
      await browser.agent.get('/profile').expect(303);
    });

    it('when a form is posted without the CSRF token, then it is refused with 403', async () => {
      const user = await makeUser();
      const browser = await signedIn(site.app, user);
      const res = await browser.agent.post('/logout').type('form').send({}).expect(403);
      expect(res.text).to.contain('Your form expired');
      await browser.agent.post('/logout').set('X-CSRF-Token', browser.csrf).expect(303);
    });
  });

  describe('password reset', () => {
    it('when reset by e-mail, then the new password works, the old does not, and open sessions end', async () => {
      const user = await makeUser();
      const other = await signedIn(site.app, user);
      const guest = await visitor(site.app);
      await guest.post('/password/forgot', { email: user.email }).expect(303).expect('Location', '/login');
      const unknown = await guest.post('/password/forgot', { email: `${unique('nobody')}@example.test` }).expect(303);
      expect(unknown.headers.location).to.equal('/login');

      const emails = await outboxEmails(site);
      expect(emails).to.have.length(1);
      const path = linkIn(emails[0] ?? '', /\/password\/reset\/[A-Za-z0-9_-]{20,}/);
      const form = await guest.agent.get(path).expect(200);
      const mismatch = await guest.agent
        .post(path)
        .type('form')
        .send({ _csrf: csrfTokenIn(form.text), password: GOOD_PASSWORD, passwordConfirmation: 'x' });
      expect(mismatch.status).to.equal(422);
      await guest.post(path, { password: GOOD_PASSWORD, passwordConfirmation: GOOD_PASSWORD }).expect(303);
      await guest.agent.get(path).expect(410);

      await other.agent.get('/profile').expect(303);
      const fresh = await visitor(site.app);
      await fresh.post('/login', { email: user.email, password: FACTORY_PASSWORD }).expect(422);
      await fresh.post('/login', { email: user.email, password: GOOD_PASSWORD }).expect(303);
    });
  });

  describe('profile and language', () => {
    it('when the profile is saved, then name, zone and language change; bad values re-render with errors', async () => {
      const user = await makeUser();
      const browser = await signedIn(site.app, user);
      const bad = await browser
        .post('/profile', { fullName: 'Typed', timeZone: 'Nowhere/Land', language: 'en' })
        .expect(422);
      expect(bad.text).to.contain('Choose a time zone from the list.').and.to.contain('value="Typed"');
      await browser.post('/profile', { fullName: 'Renamed', timeZone: 'Asia/Tokyo', language: 'ru' }).expect(303);
      await user.reload();
      expect(user).to.include({ fullName: 'Renamed', timeZone: 'Asia/Tokyo', language: 'ru' });
      const page = await browser.agent.get('/profile').expect(200);
      expect(page.text).to.contain('Ваш профиль').and.to.contain('<html lang="ru"');
    });

    it('when the password is changed, then the current one is checked and other sessions end', async () => {
      const user = await makeUser();
      const browser = await signedIn(site.app, user);
      const other = await signedIn(site.app, user);
      const wrong = await browser
        .post('/profile/password', {
          currentPassword: 'nope',
          password: GOOD_PASSWORD,
          passwordConfirmation: GOOD_PASSWORD,
        })
        .expect(422);
      expect(wrong.text).to.contain('The current password is wrong.');
      await browser
        .post('/profile/password', {
          currentPassword: FACTORY_PASSWORD,
          password: GOOD_PASSWORD,
          passwordConfirmation: GOOD_PASSWORD,
        })
        .expect(303);
      await browser.agent.get('/profile').expect(200);
      await other.agent.get('/profile').expect(303);
    });

    it('when a visitor switches language, then a cookie remembers it; otherwise Accept-Language decides', async () => {
      const ru = await request(site.app).get('/login').set('Accept-Language', 'ru-RU,ru;q=0.9').expect(200);
      expect(ru.text).to.contain('<html lang="ru"').and.to.contain('Вход');
      const switched = await request(site.app).get('/language/en?next=/login').set('Accept-Language', 'ru').expect(303);
      expect(switched.headers.location).to.equal('/login');
      const cookie = String(switched.headers['set-cookie']);
      const en = await request(site.app)
        .get('/login')
        .set('Accept-Language', 'ru')
        .set('Cookie', cookie.split(';')[0] ?? '')
        .expect(200);
      expect(en.text).to.contain('<html lang="en"');
    });

    it('when a signed-in user switches language, then the profile keeps it', async () => {
      const user = await makeUser();
      const browser = await signedIn(site.app, user);
      await browser.post('/language', { language: 'ru', next: '/profile' }).expect(303).expect('Location', '/profile');
      expect((await User.findByPk(user.id))?.language).to.equal('ru');
    });
  });
});
