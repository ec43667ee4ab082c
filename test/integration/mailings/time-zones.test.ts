// Issue 16, bug 7: every time says its zone; a mailing's schedule is shown in its own zone beside the reader's.
import { expect } from 'chai';
import type { User } from '../../../src/db/models/index.js';
import { makeClient, makeDelivery, makeMailing, makeRun, makeUser } from '../../support/factories.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

const START = new Date('2026-12-01T18:26:00Z'); // 21:26 in Moscow

async function moscowMailing() {
  const owner = await (await makeUser()).update({ timeZone: 'Europe/Moscow' });
  const mailing = await makeMailing(owner, { startAt: START, endAt: new Date('2026-12-08T18:26:00Z') });
  return { owner, mailing: await mailing.update({ timeZone: 'Europe/Moscow' }) };
}

async function manager(timeZone: string, language: 'en' | 'ru'): Promise<User> {
  return (await makeUser({ role: 'manager' })).update({ timeZone, language });
}

describe('time zones on the mailing and report screens', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it("when a UTC manager opens a Moscow mailing, then its times are in Moscow, named, and in the manager's zone", async () => {
    const { mailing } = await moscowMailing();
    const browser = await signedIn(site.app, await manager('UTC', 'en'));
    const res = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(res.text).to.contain('2026-12-01 21:26 UTC+03:00 (Europe/Moscow), 2026-12-01 18:26 UTC your time');
    expect(res.text).to.contain('2026-12-08 21:26 UTC+03:00 (Europe/Moscow), 2026-12-08 18:26 UTC your time');
    expect(res.text).to.contain(
      'The first run starts at 2026-12-01 21:26 UTC+03:00 (Europe/Moscow), 2026-12-01 18:26 UTC your time',
    );
    expect(res.text).not.to.match(/2026-12-01 18:26(?! UTC)/);
  });

  it('when a Russian UTC manager opens it, then the same is said in Russian', async () => {
    const { mailing } = await moscowMailing();
    const browser = await signedIn(site.app, await manager('UTC', 'ru'));
    const res = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(res.text).to.contain('Начало');
    expect(res.text).to.contain('2026-12-01 21:26 UTC+03:00 (Europe/Moscow), по вашему времени 2026-12-01 18:26 UTC');
    expect(res.text).to.contain('Часовой пояс расписания');
  });

  it("when the reader is in the mailing's zone, then each time is shown once, with its offset", async () => {
    const { mailing } = await moscowMailing();
    const browser = await signedIn(site.app, await manager('Europe/Moscow', 'en'));
    const res = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(res.text).to.contain('2026-12-01 21:26 UTC+03:00').and.not.to.contain('your time');
    const list = await browser.agent.get('/mailings').expect(200);
    expect(list.text).to.contain('2026-12-01 21:26 UTC+03:00');
  });

  for (const [language, timeZone, attempt, scheduled] of [
    ['en', 'UTC', '2026-12-01 18:26:07 UTC', '2026-12-01 18:26 UTC'],
    ['ru', 'Europe/Moscow', '2026-12-01 21:26:07 UTC+03:00', '2026-12-01 21:26 UTC+03:00'],
  ] as const) {
    it(`when a run's log is read (${language}), then attempt times show seconds and every time its zone`, async () => {
      const { owner, mailing } = await moscowMailing();
      const run = await makeRun(mailing, START);
      await run.update({ state: 'finished', totalCount: 1, sentCount: 1 });
      const delivery = await makeDelivery(run, await makeClient(owner));
      await delivery.update({ status: 'sent', attemptCount: 1, lastAttemptAt: new Date('2026-12-01T18:26:07.450Z') });
      const browser = await signedIn(site.app, await manager(timeZone, language));

      const log = await browser.agent.get(`/reports/runs/${run.id}`).expect(200);
      expect(log.text).to.contain(`<td>${attempt}</td>`);
      expect(log.text).to.contain(scheduled);
      // Narrowed to this mailing: the manager's report lists every customer's runs, newest first.
      const report = await browser.agent.get(`/reports?mailing=${mailing.id}`).expect(200);
      expect(report.text).to.contain(`<td>${attempt}</td>`).and.to.contain(`<td>${scheduled}</td>`);
    });
  }
});
