// Issue 16, runs: "send now" says how many clients it goes to; a retry takes only what a retry can fix, unknown
// deliveries only by their own confirmed choice; a waiting retry shows its time; runs are numbered per mailing;
// a mailing's delete confirmation says how much history goes with it.
import { expect } from 'chai';
import { MailingRun, type Client, type Delivery, type User } from '../../../src/db/models/index.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { createRun } from '../../../src/delivery/runs.js';
import { isPostgres } from '../../../src/delivery/sql.js';
import type { Transaction } from 'sequelize';
import { makeClient, makeDelivery, makeMailing, makeRun, makeUser } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

/** The text of the page as a reader sees it (tags out, entities decoded, spaces folded). */
function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** An owner with `count` clients and a mailing to all of them. */
async function mailingTo(count: number, owner?: User) {
  const user = owner ?? (await makeUser());
  const clients: Client[] = [];
  for (let i = 0; i < count; i += 1) clients.push(await makeClient(user));
  return { owner: user, clients, mailing: await makeMailing(user, { clients }) };
}

/** A finished run of the mailing whose deliveries ended as given (status and error class), in this order. */
async function finishedRunWith(mailingOf: Awaited<ReturnType<typeof mailingTo>>, ends: [string, string | null][]) {
  const run = await makeRun(mailingOf.mailing);
  const deliveries: Delivery[] = [];
  for (const [i, [status, errorClass]] of ends.entries()) {
    const client = mailingOf.clients[i];
    if (!client) throw new Error('more ends than clients');
    const delivery = await makeDelivery(run, client);
    deliveries.push(await delivery.update({ status: status as Delivery['status'], errorClass, attemptCount: 1 }));
  }
  await run.update({ state: 'finished', finishedAt: new Date(), totalCount: ends.length });
  return { run, deliveries };
}

describe('runs: send now, retries, numbers and history', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it('when "send now" is pressed without the confirmation, then a page asks, naming how many clients, and nothing starts', async () => {
    const { owner, clients, mailing } = await mailingTo(3);
    await clients[0]?.update({ unsubscribedAt: new Date() });
    const browser = await signedIn(site.app, owner);
    const page = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(page.text).to.contain('hx-confirm="Send this mailing now? It goes to 2 clients."');
    const asked = await browser.post(`/mailings/${mailing.id}/send`).expect(200);
    expect(textOf(asked.text)).to.contain('Send this mailing now? It goes to 2 clients.');
    expect(asked.text).to.contain('name="confirm" value="1"').and.to.contain('>Send now<');
    expect(await MailingRun.count({ where: { mailingId: mailing.id } })).to.equal(0);
    await browser.post(`/mailings/${mailing.id}/send`, { confirm: '1' }).expect(303);
    expect(await MailingRun.findOne({ where: { mailingId: mailing.id } })).to.include({ totalCount: 2, number: 1 });
  });

  it('when a Russian owner is asked to send now, then the count has its Russian plural form', async () => {
    const owner = await (await makeUser()).update({ language: 'ru' });
    const browser = await signedIn(site.app, owner);
    const expected: [number, string][] = [
      [1, 'Её получит 1 клиент.'],
      [2, 'Её получат 2 клиента.'],
      [5, 'Её получат 5 клиентов.'],
      [21, 'Её получит 21 клиент.'],
    ];
    for (const [count, words] of expected) {
      const { mailing } = await mailingTo(count, owner);
      const asked = await browser.post(`/mailings/${mailing.id}/send`).expect(200);
      expect(textOf(asked.text)).to.contain(`Отправить рассылку сейчас? ${words}`);
    }
  });

  it('when a run has fixable and permanent failures, then the retry takes only the fixable ones and never a sent one', async () => {
    const material = await mailingTo(5);
    const { run, deliveries } = await finishedRunWith(material, [
      ['sent', null],
      ['failed', 'smtp_4xx'],
      ['failed', 'smtp_5xx'],
      ['failed', 'connection'],
      ['unknown', 'no_reply'],
    ]);
    const browser = await signedIn(site.app, material.owner);
    const page = await browser.agent.get(`/mailings/${material.mailing.id}`).expect(200);
    expect(page.text).to.contain(`/runs/${run.id}/retry"`).and.to.contain(`/runs/${run.id}/retry-unknown"`);
    await browser.post(`/mailings/${material.mailing.id}/runs/${run.id}/retry`).expect(303);
    const statuses = async () => Promise.all(deliveries.map(async (delivery) => (await delivery.reload()).status));
    expect(await statuses()).to.deep.equal(['sent', 'pending', 'failed', 'pending', 'unknown']);
    expect(await run.reload()).to.include({ state: 'running' });
  });

  it('when unknown deliveries are retried, then only through their own confirmed choice, with a warning', async () => {
    const material = await mailingTo(3);
    const { run, deliveries } = await finishedRunWith(material, [
      ['sent', null],
      ['unknown', 'no_reply'],
      ['unknown', 'interrupted'],
    ]);
    const browser = await signedIn(site.app, material.owner);
    const page = await browser.agent.get(`/mailings/${material.mailing.id}`).expect(200);
    expect(page.text).not.to.contain(`/runs/${run.id}/retry"`);
    expect(textOf(page.text)).to.contain('Retry unknown');
    expect(page.text).to.contain('those clients may get a second copy.');

    const url = `/mailings/${material.mailing.id}/runs/${run.id}/retry-unknown`;
    const asked = await browser.post(url).expect(200);
    expect(textOf(asked.text))
      .to.contain('Retry 2 deliveries of unknown fate?')
      .and.to.contain('Some of these may have arrived: those clients may get a second copy.');
    expect((await deliveries[1]?.reload())?.status).to.equal('unknown');
    // The plain retry leaves unknown deliveries alone.
    await browser.post(`/mailings/${material.mailing.id}/runs/${run.id}/retry`).expect(303);
    expect((await deliveries[2]?.reload())?.status).to.equal('unknown');

    await browser.post(url, { confirm: '1' }).expect(303);
    const after = await Promise.all(deliveries.map(async (delivery) => (await delivery.reload()).status));
    expect(after).to.deep.equal(['sent', 'pending', 'pending']);
  });

  it('when a run failed only permanently, then it offers no retry and a forced retry changes nothing', async () => {
    const material = await mailingTo(2);
    const { run, deliveries } = await finishedRunWith(material, [
      ['failed', 'smtp_5xx'],
      ['failed', 'unsubscribed'],
    ]);
    const browser = await signedIn(site.app, material.owner);
    const page = await browser.agent.get(`/mailings/${material.mailing.id}`).expect(200);
    expect(page.text).not.to.contain(`/runs/${run.id}/retry`);
    expect(textOf(page.text)).not.to.contain('Retry failed');
    await browser.post(`/mailings/${material.mailing.id}/runs/${run.id}/retry`).expect(303);
    const after = textOf((await browser.agent.get(`/mailings/${material.mailing.id}`).expect(200)).text);
    expect(after).to.contain('Nothing to retry: these failures are final');
    expect((await deliveries[0]?.reload())?.status).to.equal('failed');
    expect(await run.reload()).to.include({ state: 'finished' });
  });

  it('when a delivery waits for a retry, then its run log and mailing page say when it will be tried, with the zone', async () => {
    const material = await mailingTo(1, await (await makeUser()).update({ timeZone: 'Europe/Moscow' }));
    const run = await makeRun(material.mailing);
    const delivery = await makeDelivery(run, material.clients[0] as Client);
    await delivery.update({ attemptCount: 1, nextAttemptAt: new Date('2031-03-04T05:06:07Z'), errorClass: 'smtp_4xx' });
    const browser = await signedIn(site.app, material.owner);
    const log = await browser.agent.get(`/reports/runs/${run.id}`).expect(200);
    expect(textOf(log.text)).to.contain('next try at 2031-03-04 08:06:07 UTC+03:00');
    const page = await browser.agent.get(`/mailings/${material.mailing.id}`).expect(200);
    expect(textOf(page.text)).to.contain('1 delivery waits for a retry: next try at 2031-03-04 08:06:07 UTC+03:00.');
  });

  it('when a mailing runs three times and another once, then each counts its own runs 1, 2, 3 on every screen', async () => {
    const first = await mailingTo(1);
    const second = await mailingTo(1, first.owner);
    const runs: MailingRun[] = [];
    for (let i = 0; i < 3; i += 1) {
      const run = await startRunNow(testDatabase(), first.mailing.id, new Date(Date.UTC(2031, 0, 1, 9, 0, i)));
      runs.push(await run.update({ state: 'finished', finishedAt: new Date() }));
      if (i === 0) await startRunNow(testDatabase(), second.mailing.id, new Date(Date.UTC(2031, 0, 1, 9, 0, 30)));
    }
    expect(runs.map((run) => run.number)).to.deep.equal([1, 2, 3]);
    expect((await MailingRun.findOne({ where: { mailingId: second.mailing.id } }))?.number).to.equal(1);

    const browser = await signedIn(site.app, first.owner);
    const page = textOf((await browser.agent.get(`/mailings/${first.mailing.id}`).expect(200)).text);
    expect(page).to.contain('Run #1').and.to.contain('Run #2').and.to.contain('Run #3');
    const log = await browser.agent.get(`/reports/runs/${runs[2]?.id}`).expect(200);
    expect(textOf(log.text)).to.contain(`Run log: ${first.mailing.name}, run #3`);
    const report = textOf((await browser.agent.get(`/reports?mailing=${first.mailing.id}`).expect(200)).text);
    expect(report).to.contain('Run #3').and.to.contain('Run #1');
    const csv = await browser.agent.get(`/reports/export.csv?mailing=${second.mailing.id}`).expect(200);
    expect(String(csv.text).split('\n')[1]).to.match(/^1,/);
  });

  it('when a second run of a mailing is created while the first is not yet committed, then it waits and takes the next number', async function () {
    // SQLite has one writer: a second transaction cannot even begin its insert before the first commits.
    if (!isPostgres(testDatabase())) this.skip();
    const { mailing } = await mailingTo(1);
    const at = (second: number) => new Date(Date.UTC(2031, 5, 1, 9, 0, second));
    const create = (second: number, t: Transaction) => createRun(testDatabase(), mailing.id, at(second), new Date(), t);
    let second: Promise<MailingRun | null> = Promise.resolve(null);
    const first = await testDatabase().transaction(async (t) => {
      const run = await create(1, t);
      second = testDatabase().transaction((other) => create(2, other));
      await new Promise((resolve) => setTimeout(resolve, 300)); // the second is under way meanwhile
      return run;
    });
    expect([first?.number, (await second)?.number]).to.deep.equal([1, 2]);
  });

  it('when a manager reads the report, then each run shows its owner, in the list and the CSV, and narrows to one owner', async () => {
    const owner = await makeUser({ fullName: 'Olga Owner' });
    const other = await makeUser();
    const { mailing } = await mailingTo(1, owner);
    const theirs = await mailingTo(1, other);
    await makeRun(mailing, new Date(Date.UTC(2033, 2, 3, 9)));
    await makeRun(theirs.mailing, new Date(Date.UTC(2033, 2, 3, 10)));
    const browser = await signedIn(site.app, await makeUser({ role: 'manager' }));

    const list = textOf((await browser.agent.get(`/reports?mailing=${mailing.id}`).expect(200)).text);
    expect(list).to.contain('Olga Owner').and.to.contain(owner.email);
    const csv = await browser.agent.get(`/reports/export.csv?mailing=${mailing.id}`).expect(200);
    const [header, row] = String(csv.text)
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/);
    expect(header).to.contain("Mailing,Owner,Owner's e-mail");
    expect(row).to.contain(`Olga Owner,${owner.email}`);

    const narrowed = await browser.agent.get(`/reports?owner=${owner.id}&from=2033-03-03&to=2033-03-03`).expect(200);
    // The filter's selects offer every mailing and owner; the runs listed are what the filter kept.
    const listed = narrowed.text.replace(/<select[\s\S]*?<\/select>/g, '');
    expect(listed).to.contain(mailing.name).and.not.to.contain(theirs.mailing.name);
    const customer = await signedIn(site.app, owner);
    await customer.agent.get(`/reports?owner=${other.id}`).expect(422);
  });

  it('when a mailing with history is deleted, then the confirmation says how many runs and deliveries go with it', async () => {
    const material = await mailingTo(2);
    await finishedRunWith(material, [
      ['sent', null],
      ['failed', 'smtp_5xx'],
    ]);
    await finishedRunWith(material, [['sent', null]]);
    const browser = await signedIn(site.app, material.owner);
    const words = 'Delete this mailing? Its history goes with it for good: 2 runs and 3 deliveries leave the report.';
    const page = await browser.agent.get(`/mailings/${material.mailing.id}`).expect(200);
    expect(page.text).to.contain(`hx-confirm="${words}"`);
    const asked = await browser.post(`/mailings/${material.mailing.id}/delete`).expect(200);
    expect(textOf(asked.text)).to.contain(words);
    expect(await MailingRun.count({ where: { mailingId: material.mailing.id } })).to.equal(2);

    await material.owner.update({ language: 'ru' });
    const russian = await browser.post(`/mailings/${material.mailing.id}/delete`).expect(200);
    expect(textOf(russian.text)).to.contain('из отчёта уйдут 2 запуска и 3 доставки.');
    await browser.post(`/mailings/${material.mailing.id}/delete`, { confirm: '1' }).expect(303);
    expect(await MailingRun.count({ where: { mailingId: material.mailing.id } })).to.equal(0);
  });
});
