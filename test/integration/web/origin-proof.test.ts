import { expect } from 'chai';
import request from 'supertest';
import { Client, Mailing, Message, User } from '../../../src/db/models/index.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { FACTORY_PASSWORD, makeClient, makeMailing, makeMessage, makeUser } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { routesOf } from '../../support/routes.js';
import { signedIn, testSite } from '../../support/web.js';

const ATTACKER = 'https://attacker.example';
/**
 * The one state-changing route that must work without proof of origin: RFC 8058's one-click unsubscribe, which
 * a mail provider posts from its own servers. Its signed token is the proof.
 */
const TOKEN_AUTHORISED = new Set(['POST /unsubscribe/:token']);
/**
 * Routes that a provider's servers call, each call signed (the webhooks), declare it in their permission
 * (`signedCalls()`); their own tests prove that an unsigned or forged call is refused and changes nothing.
 */
const SIGNED_CALLS = 'public:signed';

/** What a forged request may try to change, read back after every attempt. */
async function snapshot(ids: { client: number; message: number; mailing: number; user: number }) {
  const [client, message, mailing, user] = await Promise.all([
    Client.findByPk(ids.client),
    Message.findByPk(ids.message),
    Mailing.findByPk(ids.mailing),
    User.findByPk(ids.user),
  ]);
  return JSON.stringify([client?.toJSON(), message?.toJSON(), mailing?.toJSON(), user?.toJSON()]);
}

describe('every state-changing request proves its origin', () => {
  it('when any non-GET route of the site is posted without its CSRF token, from another site or none, then it is 403 and nothing changes', async () => {
    const site = testSite();
    const admin = await makeUser({ role: 'admin' });
    const client = await makeClient(admin);
    const message = await makeMessage(admin);
    const mailing = await makeMailing(admin, { message, clients: [client] });
    const run = await startRunNow(testDatabase(), mailing.id);
    const ids = { client: client.id, message: message.id, mailing: mailing.id, user: admin.id };
    const browser = await signedIn(site.app, admin);
    const before = await snapshot(ids);
    const idsByArea: Record<string, number> = { clients: client.id, messages: message.id, mailings: mailing.id };

    const routes = routesOf(site.app).filter(
      (route) =>
        route.method !== 'GET' &&
        !TOKEN_AUTHORISED.has(`${route.method} ${route.path}`) &&
        route.access !== SIGNED_CALLS,
    );
    expect(routes.length).to.be.greaterThan(20);
    const accepted: string[] = [];
    for (const route of routes) {
      const area = route.path.split('/')[1] ?? '';
      const path = route.path
        .replace(':id', String(idsByArea[area] ?? admin.id))
        .replace(':runId', String(run.id))
        .replace(':action', 'cancel')
        .replace(':token', 'x'.repeat(43));
      const form = { name: 'Forged', email: 'forged@example.test', fullName: 'Forged', reason: 'forged' };
      for (const origin of [ATTACKER, null]) {
        const post = browser.agent[route.method.toLowerCase() as 'post'](path).type('form');
        const res = await (origin ? post.set('Origin', origin) : post).send(form);
        if (res.status !== 403) accepted.push(`${route.method} ${path} (${origin ?? 'no origin'}) → ${res.status}`);
      }
    }
    expect(accepted, 'routes that took a request without its token').to.deep.equal([]);
    expect(await snapshot(ids)).to.equal(before);
  });

  it('when any state-changing route of /admin is called from another site or without saying where from, then it is 403 and nothing changes', async () => {
    const site = testSite();
    const admin = await makeUser({ role: 'admin' });
    const customer = await makeUser();
    const client = await makeClient(customer);
    const message = await makeMessage(customer);
    const mailing = await makeMailing(customer, { message, clients: [client] });
    const ids = { client: client.id, message: message.id, mailing: mailing.id, user: customer.id };
    const login = await request(site.app)
      .post('/admin/login')
      .set('Origin', 'http://mailer.test')
      .type('form')
      .send({ email: admin.email, password: FACTORY_PASSWORD })
      .expect(302);
    const cookie = ([] as string[])
      .concat(login.headers['set-cookie'] ?? [])
      .map((line) => line.split(';')[0])
      .join('; ');
    const before = await snapshot(ids);

    const recordsByResource: Record<string, number> = {
      users: customer.id,
      clients: client.id,
      messages: message.id,
      mailings: mailing.id,
    };
    const attempts: { method: string; path: string }[] = [
      { method: 'POST', path: '/admin/login' },
      { method: 'POST', path: '/admin/logout' },
    ];
    // AdminJS's own table of its routes (loaded here: the app has built AdminJS by now).
    const { Router: adminRouter } = await import('adminjs');
    for (const route of adminRouter.routes.filter((r) => r.method === 'POST')) {
      for (const [resource, recordId] of Object.entries(recordsByResource)) {
        for (const action of ['new', 'edit', 'delete', 'bulkDelete']) {
          const path = `/admin${route.path}`
            .replace('{resourceId}', resource)
            .replace('{recordId}', String(recordId))
            .replace('{action}', action)
            .replace('{pageName}', 'any');
          if (!attempts.some((a) => a.path === path)) attempts.push({ method: 'POST', path });
        }
      }
    }
    const accepted: string[] = [];
    for (const { method, path } of attempts) {
      const query = path.includes('/bulk/') ? `?recordIds=${customer.id}` : '';
      for (const origin of [ATTACKER, 'http://mailer.test:4000', null]) {
        const call =
          method === 'GET'
            ? request(site.app).get(path + query)
            : request(site.app)
                .post(path + query)
                .type('form');
        call.set('Cookie', cookie);
        if (origin) call.set('Origin', origin);
        const res = await (method === 'GET' ? call : call.send({ role: 'admin', name: 'Forged', email: 'f@x.test' }));
        if (res.status !== 403) accepted.push(`${method} ${path} (${origin ?? 'no origin'}) → ${res.status}`);
      }
    }
    expect(accepted, 'back-office routes that took a request of unproven origin').to.deep.equal([]);
    expect(await snapshot(ids)).to.equal(before);
    // The session itself still works from our own pages.
    await request(site.app).get('/admin/api/dashboard').set('Cookie', cookie).expect(200);
  });
});
