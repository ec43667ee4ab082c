import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { SystemMailer } from '../../../src/accounts/system-mail.js';
import { siteEvents } from '../../../src/cache/site-events.js';
import {
  Client,
  Mailing,
  MailingRun,
  Message,
  Post,
  Session,
  User,
  type UserRole,
} from '../../../src/db/models/index.js';
import { deliveryEvents } from '../../../src/delivery/events.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { createLogger } from '../../../src/logger.js';
import { createApp } from '../../../src/app.js';
import {
  FACTORY_PASSWORD,
  makeClient,
  makeDelivery,
  makeMailing,
  makePost,
  makeRun,
  makeUser,
} from '../../support/factories.js';
import { scratchFolder, testConfig, testDatabase } from '../../support/hooks.js';
import { signedIn, visitor } from '../../support/web.js';

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64)]);
const API = '/admin/api/resources';
/** The site's address in these tests (APP_URL): the back office's own pages send it as their Origin. */
const ORIGIN = 'http://mailer.test';

/** A browser-like agent of our own pages: every request says where it comes from, as a browser's would. */
function ourAgent(app: Express): TestAgent {
  return request.agent(app).set('Origin', ORIGIN);
}

interface RecordJson {
  id: string;
  params: Record<string, unknown>;
  errors: Record<string, { message: string }>;
  populated?: Record<string, { params: Record<string, unknown> } | null>;
}
interface ActionJson {
  record?: RecordJson;
  records?: RecordJson[];
  notice?: { message: string; type: string };
  redirectUrl?: string;
}

describe('the back office at /admin', () => {
  let app: Express;
  let uploadDir = '';

  // One app for the file (AdminJS is built once); made in the first test's hook, after the root hooks ran.
  beforeEach(() => {
    if (uploadDir) return;
    uploadDir = scratchFolder('uploads');
    const outboxDir = scratchFolder('outbox');
    const config = { ...testConfig(), uploadDir, outboxDir, appUrl: ORIGIN };
    const logger = createLogger('silent');
    app = createApp({
      config,
      sequelize: testDatabase(),
      logger,
      systemMailer: new SystemMailer(config, logger, testDatabase()),
    });
  });

  async function staff(role: UserRole): Promise<{ agent: TestAgent; user: User; cookie: string }> {
    const user = await makeUser({ role });
    const agent = ourAgent(app);
    const login = await agent
      .post('/admin/login')
      .type('form')
      .send({ email: user.email, password: FACTORY_PASSWORD })
      .expect(302)
      .expect('Location', '/admin');
    // The session cookie alone, to replay from a request that is not the agent's (as a forged form would).
    const setCookie = ([] as string[]).concat(login.headers['set-cookie'] ?? []);
    const cookie = setCookie.map((line) => line.split(';')[0]).join('; ');
    return { agent, user, cookie };
  }

  function body(res: request.Response): ActionJson {
    return res.body as ActionJson;
  }

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
        const agent = ourAgent(app);
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
        const attempt = request(app).post(edit).set('Cookie', cookie).field('role', 'admin');
        for (const [name, value] of Object.entries(headers)) attempt.set(name, value);
        const res = await attempt;
        expect(res.status, from).to.equal(403);
        expect((await User.findByPk(customer.id))?.role, from).to.equal('user');
      }
      // Signing out is a POST: a form on another site cannot sign the admin out, and a GET (a link, an image)
      // does nothing at all.
      await request(app).post('/admin/logout').set('Cookie', cookie).set('Sec-Fetch-Site', 'cross-site').expect(403);
      const get = await request(app).get('/admin/logout').set('Cookie', cookie).set('Sec-Fetch-Site', 'same-origin');
      expect(get.status).to.equal(405);
      await request(app).get('/admin').set('Cookie', cookie).expect(200);
      // From our own pages, by any of the three signs, it goes through.
      const ourSigns: Record<string, string>[] = [
        { Origin: ORIGIN },
        { 'Sec-Fetch-Site': 'same-origin' },
        { Referer: `${ORIGIN}/admin` },
      ];
      for (const headers of ourSigns) {
        const attempt = request(app).post(edit).set('Cookie', cookie).field('fullName', 'Renamed');
        for (const [name, value] of Object.entries(headers)) attempt.set(name, value);
        expect((await attempt).status, JSON.stringify(headers)).to.equal(200);
      }
      expect((await User.findByPk(customer.id))?.fullName).to.equal('Renamed');
      // The back office's own sign-out (a POST from its menu) works, and the session is gone after it.
      await request(app)
        .post('/admin/logout')
        .set('Cookie', cookie)
        .set('Origin', ORIGIN)
        .expect(302)
        .expect('Location', '/admin/login');
      const after = await request(app).get('/admin').set('Cookie', cookie);
      expect(after.status).to.equal(302);
    });

    it('when the back office answers, then it has its own CSP and the site keeps its strict one', async () => {
      const adminPage = await request(app).get('/admin/login').expect(200);
      expect(adminPage.headers['content-security-policy']).to.contain("script-src 'self' 'unsafe-inline'");
      const sitePage = await request(app).get('/login').expect(200);
      expect(sitePage.headers['content-security-policy']).to.contain("script-src 'self';");
      expect(sitePage.headers['content-security-policy']).not.to.contain('unsafe-inline');
    });
  });

  describe('a content manager', () => {
    it('when listing, creating and editing posts, then it works and each change announces posts-changed', async () => {
      const { agent, user } = await staff('content_manager');
      const existing = await makePost({ title: 'Existing post' });
      const announced: (number | null)[] = [];
      const listener = (id: number | null) => announced.push(id);
      siteEvents.on('posts-changed', listener);
      try {
        const list = body(await agent.get(`${API}/posts/actions/list`).expect(200));
        expect(list.records?.map((record) => record.params.title)).to.include('Existing post');

        const created = body(
          await agent
            .post(`${API}/posts/actions/new`)
            .field('title', 'Hello from the back office')
            .field('content', '# Hello\n\nSome *markdown*.')
            .field('isPublished', 'true')
            .field('viewCount', '999')
            .expect(200),
        );
        expect(created.notice?.type, JSON.stringify(created)).to.equal('success');
        const post = await Post.findOne({ where: { title: 'Hello from the back office' } });
        expect(post?.authorId).to.equal(user.id);
        expect(post?.isPublished).to.equal(true);
        expect(post?.publishedAt).to.be.instanceOf(Date);
        expect(post?.viewCount, 'the view count is read-only').to.equal(0);

        const edited = body(
          await agent.post(`${API}/posts/records/${existing.id}/edit`).field('title', 'Renamed post').expect(200),
        );
        expect(edited.notice?.type, JSON.stringify(edited)).to.equal('success');
        expect((await existing.reload()).title).to.equal('Renamed post');

        await agent.post(`${API}/posts/records/${existing.id}/delete`).expect(200);
        expect(await Post.findByPk(existing.id)).to.equal(null);
        expect(announced).to.deep.equal([post?.id, existing.id, existing.id]);
      } finally {
        siteEvents.off('posts-changed', listener);
      }
    });

    it('when the post has no title, then it is refused with a field error', async () => {
      const { agent } = await staff('content_manager');
      const res = body(await agent.post(`${API}/posts/actions/new`).field('content', 'text').expect(200));
      expect(res.notice?.type).to.equal('error');
      expect(res.record?.errors.title?.message).to.be.a('string');
    });

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
      const guest = await visitor(app);
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
      const browser = await signedIn(app, customer);
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

    it('when a signed-in staff member is blocked or demoted, then the back office drops them at once', async () => {
      const { agent, user } = await staff('content_manager');
      await agent.get(`${API}/posts/actions/list`).expect(200);
      await user.update({ role: 'user' });
      await agent.get(`${API}/posts/actions/list`).expect(401);
      await agent.get('/admin').expect(302).expect('Location', '/admin/login');
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
      const login = await request(app)
        .post('/admin/login')
        .set('Origin', ORIGIN)
        .type('form')
        .send({ email: 'new.editor@example.test', password: 'another long passphrase 7' });
      expect(login.status).to.equal(302);
    });

    it('when opening each resource, then an admin reads them all', async () => {
      const { agent } = await staff('admin');
      for (const resource of ['users', 'clients', 'messages', 'mailings', 'mailing_runs', 'deliveries', 'posts']) {
        const list = body(await agent.get(`${API}/${resource}/actions/list`).expect(200));
        expect(list.records, resource).to.be.an('array');
      }
    });

    it('when editing customers’ data, then the site’s rules apply as for the owner', async () => {
      const { agent } = await staff('admin');
      const owner = await makeUser();
      const taken = await makeClient(owner, { email: 'taken@example.test' });
      const client = await makeClient(owner);
      const clash = body(
        await agent.post(`${API}/clients/records/${client.id}/edit`).field('email', 'TAKEN@example.test').expect(200),
      );
      expect(clash.record?.errors.email?.message).to.be.a('string');
      const created = body(
        await agent
          .post(`${API}/clients/actions/new`)
          .field('ownerId', String(owner.id))
          .field('email', ' Fresh@Example.test ')
          .expect(200),
      );
      expect(created.notice?.type, JSON.stringify(created)).to.equal('success');
      expect(await Client.count({ where: { ownerId: owner.id, email: 'fresh@example.test' } })).to.equal(1);

      const mailing = await makeMailing(owner, { clients: [taken] });
      const refused = body(await agent.post(`${API}/messages/records/${mailing.messageId}/delete`).expect(200));
      expect(refused.notice?.type).to.equal('error');
      expect(await Message.findByPk(mailing.messageId)).not.to.equal(null);
    });

    it('when touching runs and deliveries, then they can be read but never created, edited or deleted', async () => {
      const { agent } = await staff('admin');
      const owner = await makeUser();
      const client = await makeClient(owner);
      const mailing = await makeMailing(owner, { clients: [client] });
      const run = await makeRun(mailing);
      const delivery = await makeDelivery(run, client);
      for (const [resource, id] of [
        ['mailing_runs', run.id],
        ['deliveries', delivery.id],
      ] as const) {
        await agent.get(`${API}/${resource}/actions/list`).expect(200);
        await agent.get(`${API}/${resource}/records/${id}/show`).expect(200);
        await agent.post(`${API}/${resource}/actions/new`).field('state', 'finished').expect(403);
        await agent.post(`${API}/${resource}/records/${id}/edit`).field('state', 'finished').expect(403);
        await agent.post(`${API}/${resource}/records/${id}/delete`).expect(403);
        await agent.post(`${API}/${resource}/bulk/bulkDelete?recordIds=${id}`).expect(403);
      }
      expect((await run.reload()).state).to.equal('pending');
      expect(await delivery.reload()).to.have.property('id', delivery.id);
    });

    it('when deleting a mailing with a run under way, then the run is cancelled and the scheduler told', async () => {
      const { agent } = await staff('admin');
      const owner = await makeUser();
      const client = await makeClient(owner);
      const mailing = await makeMailing(owner, { clients: [client] });
      const run = await startRunNow(testDatabase(), mailing.id);
      const changed: number[] = [];
      const listener = (id: number) => changed.push(id);
      deliveryEvents.on('mailing-changed', listener);
      try {
        const res = body(await agent.post(`${API}/mailings/records/${mailing.id}/delete`).expect(200));
        expect(res.notice?.type, JSON.stringify(res)).to.equal('success');
      } finally {
        deliveryEvents.off('mailing-changed', listener);
      }
      expect(await Mailing.findByPk(mailing.id)).to.equal(null);
      expect(await MailingRun.findByPk(run.id)).to.equal(null);
      expect(changed).to.include(mailing.id);
    });

    it('when changing a mailing’s schedule, then its next run is recomputed', async () => {
      const { agent } = await staff('admin');
      const owner = await makeUser();
      const mailing = await makeMailing(owner, { clients: [await makeClient(owner)] });
      const startAt = new Date(Date.now() + 3 * 24 * 60 * 60 * 1000);
      const endAt = new Date(startAt.getTime() + 10 * 24 * 60 * 60 * 1000);
      const res = body(
        await agent
          .post(`${API}/mailings/records/${mailing.id}/edit`)
          .field('startAt', startAt.toISOString())
          .field('endAt', endAt.toISOString())
          .field('ownerId', '999999')
          .expect(200),
      );
      expect(res.notice?.type, JSON.stringify(res)).to.equal('success');
      await mailing.reload();
      expect(mailing.nextRunAt?.getTime()).to.equal(startAt.getTime());
      expect(mailing.ownerId).to.equal(owner.id);
      await agent.post(`${API}/mailings/actions/new`).field('name', 'x').expect(403);
    });
  });

  describe('post images', () => {
    it('when a PNG is uploaded, then it is stored under UPLOAD_DIR and served at /uploads', async () => {
      const { agent } = await staff('content_manager');
      const res = body(
        await agent
          .post(`${API}/posts/actions/new`)
          .field('title', 'With a picture')
          .field('content', 'Look')
          .attach('image', PNG, { filename: 'picture.txt', contentType: 'text/plain' })
          .expect(200),
      );
      expect(res.notice?.type, JSON.stringify(res)).to.equal('success');
      const post = await Post.findOne({ where: { title: 'With a picture' } });
      expect(post?.imagePath).to.match(/^posts\/[0-9a-f]+\.png$/);
      const file = path.join(uploadDir, post?.imagePath ?? '');
      expect(readFileSync(file).equals(PNG)).to.equal(true);

      const served = await request(app).get(`/uploads/${post?.imagePath}`).expect(200);
      expect(served.headers['content-type']).to.equal('image/png');
      expect(served.headers['x-content-type-options']).to.equal('nosniff');
      expect(served.headers['cache-control']).to.contain('max-age=');
      await request(app).get('/uploads/posts/missing.png').expect(404);
      await request(app).get('/uploads/posts/..%2F..%2Fetc%2Fpasswd').expect(404);

      await agent.post(`${API}/posts/records/${post?.id}/delete`).expect(200);
      expect(existsSync(file), 'the image goes with its post').to.equal(false);
    });

    it('when the file is not an image or larger than 2 MB, then the post is refused and nothing is stored', async () => {
      const { agent } = await staff('content_manager');
      const tooLarge = Buffer.concat([PNG, Buffer.alloc(2 * 1024 * 1024)]);
      const cases = [
        { title: 'Fake', file: Buffer.from('<svg onload="alert(1)"></svg>'), filename: 'fake.png', type: 'image/png' },
        { title: 'Huge', file: tooLarge, filename: 'huge.png', type: 'image/png' },
      ];
      for (const { title, file, filename, type } of cases) {
        const res = body(
          await agent
            .post(`${API}/posts/actions/new`)
            .field('title', title)
            .field('content', 'text')
            .attach('image', file, { filename, contentType: type })
            .expect(200),
        );
        expect(res.record?.errors.image?.message, title).to.be.a('string');
        expect(await Post.count({ where: { title } })).to.equal(0);
      }
    });

    it('when a new image replaces the old one, then the old file is deleted', async () => {
      const { agent } = await staff('admin');
      const created = await agent
        .post(`${API}/posts/actions/new`)
        .field('title', 'Replace me')
        .field('content', 'x')
        .attach('image', PNG, 'a.png');
      expect(body(created).notice?.type).to.equal('success');
      const post = await Post.findOne({ where: { title: 'Replace me' } });
      const first = path.join(uploadDir, post?.imagePath ?? '');
      await agent.post(`${API}/posts/records/${post?.id}/edit`).attach('image', PNG, 'b.png').expect(200);
      await post?.reload();
      expect(existsSync(first)).to.equal(false);
      expect(existsSync(path.join(uploadDir, post?.imagePath ?? ''))).to.equal(true);
    });
  });
});
