import { expect } from 'chai';
import request from 'supertest';
import { Delivery, type DeliveryStatus, type MailingRun, type User } from '../../../src/db/models/index.js';
import { makeClient, makeDelivery, makeMailing, makeRun, makeUser } from '../../support/factories.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

/** A delivery of the run to a new client of the owner, finished with the given outcome. */
async function attempted(
  owner: User,
  run: MailingRun,
  status: DeliveryStatus,
  lastAttemptAt: Date | null,
  attrs: Partial<{ fullName: string; smtpResponse: string }> = {},
): Promise<Delivery> {
  const client = await makeClient(owner, { fullName: attrs.fullName ?? 'Test Client' });
  const delivery = await makeDelivery(run, client);
  return delivery.update({
    status,
    lastAttemptAt,
    attemptCount: lastAttemptAt ? 1 : 0,
    smtpResponse: attrs.smtpResponse ?? null,
  });
}

/** The chart's screen-reader table: day → [sent, failed, unknown]. */
function chartDays(html: string): Record<string, number[]> {
  const days: Record<string, number[]> = {};
  for (const match of html.matchAll(/<tr data-day="([\d-]+)">(.*?)<\/tr>/g)) {
    days[match[1] ?? ''] = [...(match[2] ?? '').matchAll(/<td>(\d+)<\/td>/g)].map((cell) => Number(cell[1]));
  }
  return days;
}

/** The run ids linked from a report page, in order. */
function listedRuns(html: string): number[] {
  return [...html.matchAll(/href="\/reports\/runs\/(\d+)"/g)].map((match) => Number(match[1]));
}

describe('report of conducted mailings', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it('when no mailing has run yet, then the report says to create a mailing', async () => {
    const browser = await signedIn(site.app, await makeUser());
    const res = await browser.agent.get('/reports').expect(200);
    expect(res.text).to.contain('No mailing has run yet').and.to.contain('href="/mailings/new"');
    expect(res.text).not.to.contain('role="img"');
  });

  it('when the user has runs, then they are listed newest first with counts, last attempt and links', async () => {
    const owner = await makeUser();
    const mailing = await makeMailing(owner);
    const older = await makeRun(mailing, new Date('2026-03-01T09:00:00Z'));
    const newer = await makeRun(mailing, new Date('2026-03-02T09:00:00Z'));
    await newer.update({ state: 'finished', totalCount: 3, sentCount: 1, failedCount: 1, unknownCount: 1 });
    await attempted(owner, newer, 'sent', new Date('2026-03-02T09:05:00Z'));
    await attempted(owner, newer, 'failed', new Date('2026-03-02T10:42:00Z'));
    await attempted(owner, newer, 'unknown', new Date('2026-03-02T09:10:00Z'));
    const browser = await signedIn(site.app, owner);

    const res = await browser.agent.get('/reports').expect(200);
    expect(listedRuns(res.text)).to.deep.equal([newer.id, older.id]);
    expect(res.text).to.contain(`href="/mailings/${mailing.id}"`).and.to.contain(mailing.name);
    expect(res.text).to.contain('2026-03-02 09:00').and.to.contain('Finished');
    expect(res.text).to.contain('2026-03-02 10:42'); // the latest attempt of the run
    expect(res.text).to.match(/<td class="text-end">3<\/td><td class="text-end">1<\/td><td class="text-end">1<\/td>/);
    expect(res.text).to.contain('Not yet'); // the older run has no attempt
    expect(res.text).to.contain('<html').and.to.contain('id="report-results"');
  });

  it('when another user has runs, then they never appear in the list, the chart or the mailing choices', async () => {
    const owner = await makeUser();
    const other = await makeUser();
    const mine = await makeRun(await makeMailing(owner), new Date('2026-03-01T09:00:00Z'));
    const theirMailing = await makeMailing(other);
    const theirs = await makeRun(theirMailing, new Date('2026-03-05T09:00:00Z'));
    await attempted(other, theirs, 'sent', new Date('2026-03-05T09:01:00Z'));
    const browser = await signedIn(site.app, owner);

    const res = await browser.agent.get('/reports').expect(200);
    expect(listedRuns(res.text)).to.deep.equal([mine.id]);
    expect(res.text).not.to.contain(theirMailing.name);
    expect(res.text).to.contain('Nothing has been attempted in these runs yet');
    const filtered = await browser.agent.get(`/reports?mailing=${theirMailing.id}`).expect(422);
    expect(filtered.text).to.contain('Choose one from the list.');
    expect(listedRuns(filtered.text)).to.deep.equal([]);
  });

  it('when htmx asks, then only the results come back, with the filter form out of band', async () => {
    const owner = await makeUser();
    const run = await makeRun(await makeMailing(owner), new Date('2026-03-01T09:00:00Z'));
    const browser = await signedIn(site.app, owner);
    const res = await browser.agent.get('/reports?state=pending').set('HX-Request', 'true').expect(200);
    expect(res.text).not.to.contain('<html');
    expect(listedRuns(res.text)).to.deep.equal([run.id]);
    expect(res.text).to.match(/<form[^>]*id="report-filters"[^>]*hx-swap-oob="true"/);
    expect(res.text).to.match(/<option value="pending" selected/);
    const page = await browser.agent.get('/reports').expect(200);
    expect(page.text).to.match(/<form[^>]*id="report-filters"[^>]*hx-get="\/reports" hx-target="#report-results"/);
    expect(page.text).not.to.contain('hx-swap-oob');
  });

  it('when filtered by dates, then whole days in the user zone bound the scheduled time', async () => {
    const owner = await makeUser();
    await owner.update({ timeZone: 'Europe/Berlin' });
    const mailing = await makeMailing(owner);
    const lateEvening = await makeRun(mailing, new Date('2026-03-10T23:30:00Z')); // 00:30 on the 11th in Berlin
    const earlier = await makeRun(mailing, new Date('2026-03-10T22:59:00Z')); // 23:59 on the 10th
    const later = await makeRun(mailing, new Date('2026-03-12T09:00:00Z'));
    const browser = await signedIn(site.app, owner);

    const day11 = await browser.agent.get('/reports?from=2026-03-11&to=2026-03-11').expect(200);
    expect(listedRuns(day11.text)).to.deep.equal([lateEvening.id]);
    const day10 = await browser.agent.get('/reports?to=2026-03-10').expect(200);
    expect(listedRuns(day10.text)).to.deep.equal([earlier.id]);
    const from11 = await browser.agent.get('/reports?from=2026-03-11').expect(200);
    expect(listedRuns(from11.text)).to.deep.equal([later.id, lateEvening.id]);
    expect(from11.text).to.contain('value="2026-03-11"');
    expect(from11.text).to.contain('href="/reports/export.csv?from=2026-03-11"');
    const none = await browser.agent.get('/reports?from=2027-01-01').expect(200);
    expect(none.text).to.contain('No runs match these filters').and.to.contain('href="/reports"');
  });

  it('when filtered by mailing and by run state, then only those runs are listed', async () => {
    const owner = await makeUser();
    const first = await makeMailing(owner);
    const second = await makeMailing(owner);
    const a = await makeRun(first, new Date('2026-03-01T09:00:00Z'));
    const b = await makeRun(second, new Date('2026-03-02T09:00:00Z'));
    const c = await makeRun(second, new Date('2026-03-03T09:00:00Z'));
    await c.update({ state: 'cancelled' });
    const browser = await signedIn(site.app, owner);

    const bySecond = await browser.agent.get(`/reports?mailing=${second.id}`).expect(200);
    expect(listedRuns(bySecond.text)).to.deep.equal([c.id, b.id]);
    expect(bySecond.text).to.match(new RegExp(`<option value="${second.id}" selected`));
    const byFirst = await browser.agent.get(`/reports?mailing=${first.id}`).expect(200);
    expect(listedRuns(byFirst.text)).to.deep.equal([a.id]);
    const cancelled = await browser.agent.get('/reports?state=cancelled').expect(200);
    expect(listedRuns(cancelled.text)).to.deep.equal([c.id]);
    const both = await browser.agent.get(`/reports?mailing=${second.id}&state=pending`).expect(200);
    expect(listedRuns(both.text)).to.deep.equal([b.id]);
  });

  it('when a filter is invalid, then its field shows an error with 422 (page and htmx), never a 500', async () => {
    const owner = await makeUser();
    await makeRun(await makeMailing(owner));
    const browser = await signedIn(site.app, owner);
    const cases: [string, string, string][] = [
      ['from=2026-02-30', 'field-from-error', 'Enter a date as YYYY-MM-DD.'],
      ['to=tomorrow', 'field-to-error', 'Enter a date as YYYY-MM-DD.'],
      ['from=2026-03-10&to=2026-03-09', 'field-to-error', 'The end date must not be before the start date.'],
      ['mailing=abc', 'field-mailing-error', 'Choose one from the list.'],
      ['state=exploded', 'field-state-error', 'Choose one from the list.'],
      ['state=pending&state=running', 'field-state-error', 'This value is not valid.'],
    ];
    for (const [query, errorId, message] of cases) {
      const page = await browser.agent.get(`/reports?${query}`).expect(422);
      expect(page.text, query).to.contain(`id="${errorId}"`).and.to.contain(message);
      expect(page.text, query).to.contain('Correct the filters above');
      const fragment = await browser.agent.get(`/reports?${query}`).set('HX-Request', 'true').expect(422);
      expect(fragment.text, query).not.to.contain('<html');
      expect(fragment.text, query).to.contain(`id="${errorId}"`).and.to.contain('hx-swap-oob="true"');
    }
    await browser.agent.get('/reports/export.csv?from=nope').expect(422);
  });

  it('when runs were attempted, then the chart stacks sent, failed and unknown per day of the last attempt', async () => {
    const owner = await makeUser();
    const mailing = await makeMailing(owner);
    const run = await makeRun(mailing, new Date('2026-03-01T09:00:00Z'));
    await attempted(owner, run, 'sent', new Date('2026-03-01T09:01:00Z'));
    await attempted(owner, run, 'sent', new Date('2026-03-01T12:00:00Z'));
    await attempted(owner, run, 'failed', new Date('2026-03-01T13:00:00Z'));
    await attempted(owner, run, 'unknown', new Date('2026-03-03T08:00:00Z'));
    await attempted(owner, run, 'pending', null);
    const browser = await signedIn(site.app, owner);

    const res = await browser.agent.get('/reports').expect(200);
    expect(chartDays(res.text)).to.deep.equal({ '2026-03-01': [2, 1, 0], '2026-03-03': [0, 0, 1] });
    expect(res.text).to.match(/<svg[^>]*role="img"[^>]*aria-labelledby="chart-title chart-desc"/);
    expect(res.text).to.contain('<title id="chart-title">Deliveries per day</title>');
    expect(res.text).to.contain('From Mar 1, 2026 to Mar 3, 2026: 2 sent, 1 failed, 1 unknown.');
    expect(res.text).to.contain('class="chart-bar-sent"').and.to.contain('class="chart-bar-failed"');
    expect(res.text).to.contain('class="chart-bar-unknown"').and.to.contain('class="chart-axis"');
    expect(res.text).not.to.match(/\sstyle=/);
    expect(res.text).not.to.match(/<script(?![^>]*src=)/);
  });

  it('when the user lives in Europe/Berlin, then a delivery at 23:30 UTC counts on the next day', async () => {
    const owner = await makeUser();
    await owner.update({ timeZone: 'Europe/Berlin' });
    const run = await makeRun(await makeMailing(owner), new Date('2026-03-10T20:00:00Z'));
    await attempted(owner, run, 'sent', new Date('2026-03-10T22:30:00Z')); // 23:30 in Berlin: the 10th
    await attempted(owner, run, 'sent', new Date('2026-03-10T23:30:00Z')); // 00:30 in Berlin: the 11th
    await attempted(owner, run, 'failed', new Date('2026-03-11T22:59:00Z')); // 23:59 in Berlin: the 11th
    const browser = await signedIn(site.app, owner);

    const res = await browser.agent.get('/reports').expect(200);
    expect(chartDays(res.text)).to.deep.equal({ '2026-03-10': [1, 0, 0], '2026-03-11': [1, 1, 0] });
    expect(res.text).to.contain('2026-03-11 23:59'); // the run's last attempt, in Berlin time
  });

  it('when deliveries span more days than the chart holds, then it shows the latest days and says so', async () => {
    const owner = await makeUser();
    const run = await makeRun(await makeMailing(owner), new Date('2026-01-01T09:00:00Z'));
    await attempted(owner, run, 'sent', new Date('2026-01-01T09:01:00Z'));
    await attempted(owner, run, 'failed', new Date('2026-01-15T09:01:00Z'));
    await attempted(owner, run, 'unknown', new Date('2026-03-15T09:01:00Z'));
    const browser = await signedIn(site.app, owner);
    const res = await browser.agent.get('/reports').expect(200);
    expect(chartDays(res.text)).to.deep.equal({ '2026-01-15': [0, 1, 0], '2026-03-15': [0, 0, 1] });
    expect(res.text).to.contain('Only the last 60 days are shown');
    expect(res.text.match(/<rect class="chart-bar-/g)).to.have.length(2 + 3); // two bars, three legend swatches
  });

  it('when the user reads Russian, then the report is in Russian with the right plural forms', async () => {
    const owner = await makeUser();
    await owner.update({ language: 'ru' });
    const mailing = await makeMailing(owner);
    await makeRun(mailing, new Date('2026-03-01T09:00:00Z'));
    await makeRun(mailing, new Date('2026-03-02T09:00:00Z'));
    const browser = await signedIn(site.app, owner);
    const res = await browser.agent.get('/reports').expect(200);
    expect(res.text).to.contain('Отчёт о проведённых рассылках').and.to.contain('2 запуска');
    expect(res.text).to.contain('Отфильтровать').and.to.contain('Выгрузить CSV');
    const invalid = await browser.agent.get('/reports?from=31.12.2026').expect(422);
    expect(invalid.text).to.contain('Введите дату в формате ГГГГ-ММ-ДД.');
  });

  it('when filters narrow the runs, then the chart counts only their deliveries', async () => {
    const owner = await makeUser();
    const first = await makeMailing(owner);
    const second = await makeMailing(owner);
    const a = await makeRun(first, new Date('2026-03-01T09:00:00Z'));
    const b = await makeRun(second, new Date('2026-03-01T09:00:00Z'));
    await attempted(owner, a, 'sent', new Date('2026-03-01T09:01:00Z'));
    await attempted(owner, b, 'failed', new Date('2026-03-01T09:02:00Z'));
    await attempted(owner, b, 'failed', new Date('2026-03-02T09:02:00Z'));
    const browser = await signedIn(site.app, owner);

    const res = await browser.agent.get(`/reports?mailing=${second.id}`).expect(200);
    expect(chartDays(res.text)).to.deep.equal({ '2026-03-01': [0, 1, 0], '2026-03-02': [0, 1, 0] });
  });

  it('when there are more runs than a page, then the pager keeps the filters and shows the rest', async () => {
    const owner = await makeUser();
    const mailing = await makeMailing(owner);
    const runs: MailingRun[] = [];
    for (let day = 1; day <= 26; day += 1) {
      runs.push(await makeRun(mailing, new Date(Date.UTC(2026, 2, day, 9))));
    }
    const browser = await signedIn(site.app, owner);
    const first = await browser.agent.get(`/reports?mailing=${mailing.id}`).expect(200);
    expect(listedRuns(first.text)).to.have.length(25);
    expect(first.text).to.contain(`href="/reports?mailing=${mailing.id}&amp;page=2"`);
    expect(first.text).to.contain('26 runs');
    const second = await browser.agent.get(`/reports?mailing=${mailing.id}&page=2`).expect(200);
    expect(listedRuns(second.text)).to.deep.equal([runs[0]?.id]);
  });

  it('when a mailing name or a client name holds markup, then it comes back escaped', async () => {
    const owner = await makeUser();
    const mailing = await makeMailing(owner);
    await mailing.update({ name: '<script>alert("m")</script>' });
    const run = await makeRun(mailing, new Date('2026-03-01T09:00:00Z'));
    await attempted(owner, run, 'failed', new Date('2026-03-01T09:01:00Z'), {
      fullName: '<script>alert("c")</script>',
      smtpResponse: '550 <script>alert("r")</script>',
    });
    const browser = await signedIn(site.app, owner);
    for (const path of ['/reports', `/reports?mailing=${mailing.id}`, `/reports/runs/${run.id}`]) {
      const res = await browser.agent.get(path).expect(200);
      expect(res.text, path).not.to.contain('<script>alert');
      expect(res.text, path).to.contain('&lt;script&gt;alert');
    }
  });

  it('when a manager asks for the report, then it covers every customer; a visitor gets the login page', async () => {
    const customer = await makeUser();
    const mailing = await makeMailing(customer);
    await mailing.update({ name: 'Customer mailing seen by a manager' });
    const run = await makeRun(mailing);
    const manager = await signedIn(site.app, await makeUser({ role: 'manager' }));
    const report = await manager.agent.get(`/reports?mailing=${mailing.id}`).expect(200);
    expect(report.text).to.contain('Customer mailing seen by a manager');
    await manager.agent.get(`/reports/runs/${run.id}`).expect(200);
    await manager.agent.get(`/reports/runs/${run.id}/export.csv`).expect(200);
    const res = await request(site.app).get('/reports?state=running').expect(303);
    expect(res.headers.location).to.equal('/login?next=%2Freports%3Fstate%3Drunning');
  });

  it('when counting deliveries, then rows still pending or being sent are never charted', async () => {
    const owner = await makeUser();
    const run = await makeRun(await makeMailing(owner), new Date('2026-03-01T09:00:00Z'));
    await attempted(owner, run, 'sending', new Date('2026-03-01T09:01:00Z'));
    await attempted(owner, run, 'pending', new Date('2026-03-01T09:02:00Z'));
    const browser = await signedIn(site.app, owner);
    const res = await browser.agent.get('/reports').expect(200);
    expect(chartDays(res.text)).to.deep.equal({});
    expect(res.text).to.contain('Nothing has been attempted in these runs yet');
    expect(await Delivery.count({ where: { runId: run.id } })).to.equal(2);
  });
});
