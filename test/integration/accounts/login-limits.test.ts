// Failed logins are counted in the database: every web process (here: a second connection, as another process has)
// sees the same counts, the site's login and the back office's sign-in count together, and a store that does not
// answer makes each process count alone instead of failing the login.
import { expect } from 'chai';
import request from 'supertest';
import type { Sequelize } from 'sequelize';
import { sharedLoginLimiter } from '../../../src/accounts/login-limiter.js';
import { parseDatabaseUrl, type LoginLimits } from '../../../src/config.js';
import { connect } from '../../../src/db/connection.js';
import { createLogger } from '../../../src/logger.js';
import { capturedLogger } from '../../support/captured-logger.js';
import { FACTORY_PASSWORD, makeUser, unique } from '../../support/factories.js';
import { testConfig, testDatabase } from '../../support/hooks.js';
import { testSite, visitor } from '../../support/web.js';
import { ORIGIN } from '../admin/back-office.js';

const LIMITS: LoginLimits = { perAccount: 5, perIp: 8, windowSeconds: 900 };
const silent = createLogger('silent');

/** An address of the documentation range no other test uses. */
function uniqueIp(): string {
  return `198.51.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;
}

describe('login limits shared by every web process', () => {
  let other: Sequelize;
  before(async () => {
    other = await connect(parseDatabaseUrl(testConfig().database.url));
  });
  after(async () => {
    await other.close();
  });

  it('when an account fails through two processes in turn, then the limit trips at the same total at both', async () => {
    const [one, two] = [sharedLoginLimiter(testDatabase(), silent, LIMITS), sharedLoginLimiter(other, silent, LIMITS)];
    const email = `${unique('guessed')}@example.test`;
    const ip = uniqueIp();
    for (let i = 0; i < 4; i += 1) await (i % 2 === 0 ? one : two).failed(email, ip);
    expect([await one.retryAfterMs(email, ip), await two.retryAfterMs(email, ip)]).to.deep.equal([0, 0]);
    await two.failed(email, ip);
    for (const limiter of [one, two]) {
      expect(await limiter.retryAfterMs(email, uniqueIp()))
        .to.be.greaterThan(0)
        .and.at.most(LIMITS.windowSeconds * 1000);
    }
    await one.succeeded(email);
    expect(await two.retryAfterMs(email, uniqueIp()), 'a login forgets the failures everywhere').to.equal(0);
  });

  it('when one IP address tries many accounts through two processes, then its limit trips at the same total', async () => {
    const [one, two] = [sharedLoginLimiter(testDatabase(), silent, LIMITS), sharedLoginLimiter(other, silent, LIMITS)];
    const ip = uniqueIp();
    for (let i = 0; i < LIMITS.perIp; i += 1) {
      const email = `${unique('sprayed')}@example.test`;
      expect(await (i % 2 === 0 ? one : two).retryAfterMs(email, ip), `attempt ${i + 1}`).to.equal(0);
      await (i % 2 === 0 ? one : two).failed(email, ip);
    }
    const next = `${unique('sprayed')}@example.test`;
    expect(await one.retryAfterMs(next, ip)).to.be.greaterThan(0);
    expect(await two.retryAfterMs(next, ip)).to.be.greaterThan(0);
    expect(await two.retryAfterMs(next, uniqueIp()), 'another address is not limited').to.equal(0);
  });

  it('when the shared store does not answer, then the process counts alone, says so once, and never fails a login', async () => {
    const gone = await connect(parseDatabaseUrl(testConfig().database.url));
    await gone.close();
    const log = capturedLogger('info');
    const limiter = sharedLoginLimiter(gone, log.logger, LIMITS);
    const email = `${unique('offline')}@example.test`;
    const ip = uniqueIp();
    for (let i = 0; i < LIMITS.perAccount; i += 1) {
      expect(await limiter.retryAfterMs(email, ip)).to.equal(0);
      await limiter.failed(email, ip);
    }
    expect(await limiter.retryAfterMs(email, ip), 'the limit still holds, in this process').to.be.greaterThan(0);
    const warnings = log.records.filter((r) => r.level === 40);
    expect(warnings.map((r) => [r.limiter, r.msg])).to.have.deep.members([
      ['login-account', 'the shared limit store does not answer: counting in this process until it does'],
      ['login-ip', 'the shared limit store does not answer: counting in this process until it does'],
    ]);
    const shared = sharedLoginLimiter(testDatabase(), silent, LIMITS);
    expect(await shared.retryAfterMs(email, ip), 'nothing reached the shared store').to.equal(0);
  });

  it('when an account fails at the site’s login and at the back office’s sign-in, then the failures add up', async () => {
    const { app } = testSite({ loginLimits: { ...LIMITS, perIp: 1e6 } });
    const admin = await makeUser({ role: 'admin' });
    const guest = await visitor(app);
    for (let i = 0; i < 3; i += 1)
      await guest.post('/login', { email: admin.email, password: `wrong ${i}` }).expect(422);
    for (let i = 0; i < 2; i += 1) {
      const res = await request(app)
        .post('/admin/login')
        .set('Origin', ORIGIN)
        .type('form')
        .send({ email: admin.email, password: `wrong again ${i}` });
      expect(res.status).not.to.equal(302);
    }
    await guest.post('/login', { email: admin.email, password: FACTORY_PASSWORD }).expect(429);
  });
});
