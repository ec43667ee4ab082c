import { expect } from 'chai';
import bcrypt from 'bcryptjs';
import { User } from '../../../src/db/models/index.js';
import { makeUser, unique, FACTORY_PASSWORD } from '../../support/factories.js';
import { outboxEmails, signedIn, testSite, visitor, type TestSite } from '../../support/web.js';

/** 40 Cyrillic letters: 80 bytes in UTF-8, past the 72 that bcrypt reads. */
const LONG_RUSSIAN = 'правильнаялошадьбатарейкаскрепкаоченьдл';

function resetPathIn(email: string): string {
  const match = /\/password\/reset\/[A-Za-z0-9_-]{20,}/.exec(email.replace(/=\r?\n/g, ''));
  if (!match) throw new Error('no reset link');
  return match[0];
}

function median(times: number[]): number {
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
}

describe('password rules on every path', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it('when a reset password contains the e-mail name, then the field says so and the link still works', async () => {
    const user = await makeUser({ email: `${unique('marina')}@example.test` });
    const guest = await visitor(site.app);
    await guest.post('/password/forgot', { email: user.email }).expect(303);
    const path = resetPathIn((await outboxEmails(site))[0] ?? '');
    const like = `${user.email.split('@')[0]}-2026-spring`;
    const refused = await guest.post(path, { password: like, passwordConfirmation: like }).expect(422);
    expect(refused.text).to.contain('The password must not contain your e-mail name.');
    const good = 'a-long-unusual-passphrase-42';
    await guest.post(path, { password: good, passwordConfirmation: good }).expect(303);
    await (await visitor(site.app)).post('/login', { email: user.email, password: good }).expect(303);
  });

  it('when a changed password contains the e-mail name, then the field says so and nothing changes', async () => {
    const user = await makeUser({ email: `${unique('boris')}@example.test` });
    const browser = await signedIn(site.app, user);
    const like = `My${user.email.split('@')[0]}Password`;
    const refused = await browser
      .post('/profile/password', { currentPassword: FACTORY_PASSWORD, password: like, passwordConfirmation: like })
      .expect(422);
    expect(refused.text).to.contain('The password must not contain your e-mail name.');
    await (await visitor(site.app)).post('/login', { email: user.email, password: FACTORY_PASSWORD }).expect(303);
  });

  it('when two long passwords share their first 72 bytes, then only the one set logs in', async () => {
    const user = await makeUser();
    const browser = await signedIn(site.app, user);
    const chosen = `${LONG_RUSSIAN}один`;
    await browser
      .post('/profile/password', { currentPassword: FACTORY_PASSWORD, password: chosen, passwordConfirmation: chosen })
      .expect(303);
    const guest = await visitor(site.app);
    await guest.post('/login', { email: user.email, password: `${LONG_RUSSIAN}два` }).expect(422);
    await guest.post('/login', { email: user.email, password: chosen }).expect(303);
  });

  it('when an account still has a hash of the plain password, then it logs in and the hash is replaced', async () => {
    const user = await makeUser();
    await user.update({ passwordHash: await bcrypt.hash(FACTORY_PASSWORD, 4) });
    await (await visitor(site.app)).post('/login', { email: user.email, password: FACTORY_PASSWORD }).expect(303);
    await user.reload();
    expect(user.passwordHash).to.match(/^sha256\$\$2[aby]\$12\$/);
    await (await visitor(site.app)).post('/login', { email: user.email, password: FACTORY_PASSWORD }).expect(303);
  });

  it('when an e-mail is registered already, then registering it takes as long as a new one', async () => {
    const known = await makeUser();
    const guest = await visitor(site.app);
    const password = 'a long enough passphrase 9';
    const timed = async (email: string): Promise<number> => {
      const started = performance.now();
      await guest.post('/register', { email, password, passwordConfirmation: password, timeZone: 'UTC' }).expect(303);
      return performance.now() - started;
    };
    const knownTimes: number[] = [];
    const newTimes: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      knownTimes.push(await timed(known.email));
      newTimes.push(await timed(`${unique('fresh')}@example.test`));
    }
    // Hashing is nearly all the work (about 250 ms); without it a known address answered ten times faster.
    expect(median(knownTimes)).to.be.above(median(newTimes) * 0.6);
    expect(await User.count({ where: { email: known.email } })).to.equal(1);
  });
});
