import { expect } from 'chai';
import { Op } from 'sequelize';
import request from 'supertest';
import { Session } from '../../../src/db/models/index.js';
import { pruneExpiredSessions } from '../../../src/accounts/sessions.js';
import { ANONYMOUS_SESSION_MS } from '../../../src/web/session-store.js';
import { makeUser, FACTORY_PASSWORD } from '../../support/factories.js';
import { testSite, visitor } from '../../support/web.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('sessions of visitors who do not sign in', () => {
  it('when anonymous visitors only open the login and register pages, then their rows are short-lived and pruned', async () => {
    const site = testSite();
    const since = new Date();
    for (let i = 0; i < 20; i += 1) {
      await request(site.app)
        .get(i % 2 ? '/login' : '/register')
        .expect(200);
    }
    const rows = await Session.findAll({ where: { createdAt: { [Op.gte]: since }, userId: null } });
    expect(rows.length).to.be.at.most(20);
    for (const row of rows) expect(row.expires.getTime()).to.be.at.most(Date.now() + ANONYMOUS_SESSION_MS);
    await pruneExpiredSessions(new Date(Date.now() + ANONYMOUS_SESSION_MS + 1000));
    expect(await Session.count({ where: { sid: rows.map((r) => r.sid) } })).to.equal(0);
  });

  it('when a visitor signs in, then the session lives its full 14 days', async () => {
    const site = testSite();
    const user = await makeUser();
    const guest = await visitor(site.app);
    await guest.post('/login', { email: user.email, password: FACTORY_PASSWORD }).expect(303);
    const session = await Session.findOne({ where: { userId: user.id } });
    expect(session?.expires.getTime()).to.be.above(Date.now() + 13 * DAY_MS);
  });
});
