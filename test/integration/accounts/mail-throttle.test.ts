import { expect } from 'chai';
import { mayMailFromForm } from '../../../src/accounts/mail-throttle.js';
import { execute } from '../../../src/delivery/sql.js';
import { makeUser, unique } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { outboxEmails, testSite, visitor, type TestSite } from '../../support/web.js';

const LIMITS = { addressCooldownSeconds: 60, addressPerHour: 5, ipPerHour: 1000 };
const PASSWORD = 'a long enough passphrase 9';

/** A page without what differs between any two requests (the CSRF token, the address typed in). */
function comparable(html: string, email: string): string {
  return html.replace(/name="_csrf" value="[^"]+"/g, '').replaceAll(email, 'EMAIL');
}

describe('forms that send e-mail are throttled', () => {
  let site: TestSite;
  beforeEach(async () => {
    site = testSite({ mailForms: LIMITS });
    // Every request of the suite comes from one IP address: its count so far belongs to other tests.
    await execute(testDatabase(), "DELETE FROM mail_form_limits WHERE limit_key LIKE 'ip:%'", {});
  });

  it('when "forgot password" is posted 15 times for one address, then one e-mail goes, known or not alike', async () => {
    const known = await makeUser();
    const unknown = `${unique('nobody')}@example.test`;
    const answers = async (email: string) => {
      const guest = await visitor(site.app);
      const replies = [];
      for (let i = 0; i < 15; i += 1) replies.push(await guest.post('/password/forgot', { email }));
      return replies;
    };
    const forKnown = await answers(known.email);
    const forUnknown = await answers(unknown);
    expect(forKnown.map((r) => r.status)).to.deep.equal([303, ...Array<number>(14).fill(429)]);
    expect(forUnknown.map((r) => r.status)).to.deep.equal(forKnown.map((r) => r.status));
    expect(forKnown[1]?.headers['retry-after']).to.equal('60');
    expect(forKnown[1]?.text).to.contain('try again in a few minutes');
    expect(comparable(forKnown[1]?.text ?? '', known.email)).to.equal(comparable(forUnknown[1]?.text ?? '', unknown));
    expect(await outboxEmails(site)).to.have.length(1);
  });

  it('when a known address registers again and again, then its owner gets one e-mail', async () => {
    const known = await makeUser();
    const guest = await visitor(site.app);
    const form = { email: known.email, password: PASSWORD, passwordConfirmation: PASSWORD, timeZone: 'UTC' };
    await guest.post('/register', form).expect(303);
    const again = await guest.post('/register', { ...form, fullName: 'Typed Name' }).expect(429);
    expect(again.text).to.contain('try again in a few minutes').and.to.contain('value="Typed Name"');
    await guest.post('/register', form).expect(429);
    expect(await outboxEmails(site)).to.have.length(1);
  });

  it('when the verification e-mail is asked for again and again, then one more goes', async () => {
    const unverified = await makeUser({ verified: false });
    const guest = await visitor(site.app);
    for (let i = 0; i < 4; i += 1) await guest.post('/verify/resend', { email: unverified.email }).expect(303);
    const page = await guest.agent.get('/verify/sent').expect(200);
    expect(page.text).to.contain('try again in a few minutes');
    expect(await outboxEmails(site)).to.have.length(1);
  });

  it('when one IP address asks for mail to many addresses, then it is refused past its hourly limit', async () => {
    const strict = testSite({ mailForms: { ...LIMITS, ipPerHour: 3 } });
    const guest = await visitor(strict.app);
    const statuses = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push((await guest.post('/password/forgot', { email: `${unique('spray')}@example.test` })).status);
    }
    expect(statuses).to.deep.equal([303, 303, 303, 429, 429]);
  });

  it('when requests from one IP address arrive together with clocks a moment apart, then each within the limit goes', async () => {
    const ip = `test-${unique()}`;
    const at = new Date();
    const later = new Date(at.getTime() + 5);
    const first = await mayMailFromForm(testDatabase(), `${unique('a')}@example.test`, ip, LIMITS, later);
    const second = await mayMailFromForm(testDatabase(), `${unique('b')}@example.test`, ip, LIMITS, at);
    expect([first, second]).to.deep.equal([true, true]);
  });

  it('when the cooldown or the hour is over, then the address may have mail again', async () => {
    const address = `${unique('later')}@example.test`;
    const ip = `test-${unique()}`;
    const at = (seconds: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, seconds));
    const may = (seconds: number) => mayMailFromForm(testDatabase(), address, ip, LIMITS, at(seconds));
    expect([await may(0), await may(30), await may(61)]).to.deep.equal([true, false, true]);
    for (const seconds of [122, 183, 244]) expect(await may(seconds)).to.equal(true);
    expect(await may(305)).to.equal(false); // five in the hour that began at 0
    expect(await may(3601)).to.equal(true); // a new hour
  });
});
