import { expect } from 'chai';
import { DateTime } from 'luxon';
import { Delivery, Mailing, type Client, type User } from '../../../src/db/models/index.js';
import { dispatchDueRun } from '../../../src/delivery/mailing-lifecycle.js';
import { computeHomeStats } from '../../../src/home/home-stats.js';
import { makeClient, makeMailing, makeMessage, makeUser } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { signedIn, testSite, type Browser, type TestSite } from '../../support/web.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

function localInput(date: Date): string {
  return DateTime.fromJSDate(date, { zone: 'UTC' }).toFormat("yyyy-MM-dd'T'HH:mm");
}

/** The client ids of the run the engine creates when the mailing's time has come. */
async function recipientsOfRunAt(mailing: Mailing, at: Date): Promise<(number | null)[]> {
  const run = await dispatchDueRun(testDatabase(), mailing.id, at);
  expect(run, 'a run is due').not.to.equal(null);
  const deliveries = await Delivery.findAll({ where: { runId: run!.id }, order: [['clientId', 'ASC']] });
  expect(run!.totalCount).to.equal(deliveries.length);
  return deliveries.map((delivery) => delivery.clientId);
}

/** The sentence of the mailing's page about its next run. */
async function nextRunLine(browser: Browser, mailing: Mailing): Promise<string> {
  const page = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
  const line = /id="next-run-recipients">([^<]*)</.exec(page.text);
  return line?.[1] ?? '(no line)';
}

describe('a mailing to all my clients', () => {
  let site: TestSite;
  let owner: User;
  let clients: Client[];
  let browser: Browser;
  const startAt = new Date(Math.floor((Date.now() + 2 * HOUR) / 60_000) * 60_000);

  beforeEach(async () => {
    site = testSite();
    owner = await makeUser();
    clients = [];
    for (let i = 0; i < 4; i += 1) clients.push(await makeClient(owner));
    browser = await signedIn(site.app, owner);
  });

  function form(fields: Record<string, string | string[]>): Record<string, string | string[]> {
    return {
      name: 'Daily news',
      startAt: localInput(startAt),
      endAt: localInput(new Date(startAt.getTime() + 30 * DAY)),
      periodicity: 'daily',
      timeZone: 'UTC',
      ...fields,
    };
  }

  async function createdMailing(fields: Record<string, string | string[]>): Promise<Mailing> {
    const message = await makeMessage(owner);
    await browser.post('/mailings', form({ messageId: String(message.id), ...fields })).expect(303);
    return Mailing.findOne({ where: { ownerId: owner.id }, rejectOnEmpty: true });
  }

  it('when clients are added after it was made, then each run goes to all of them but the unsubscribed', async () => {
    const mailing = await createdMailing({ allClients: 'on', clientIds: clients.map((c) => String(c.id)) });
    expect(mailing.allClients).to.equal(true);
    expect(await mailing.countClients(), 'a rule keeps no list').to.equal(0);
    clients.push(await makeClient(owner), await makeClient(owner));
    expect(await nextRunLine(browser, mailing)).to.equal('The next run goes to 6 clients.');

    const first = await recipientsOfRunAt(mailing, new Date(startAt.getTime() + 60_000));
    expect(first).to.deep.equal(clients.map((client) => client.id));

    await clients[1]!.update({ unsubscribedAt: new Date() });
    const added = await makeClient(owner);
    await makeClient(await makeUser());
    expect(await nextRunLine(browser, mailing)).to.equal('The next run goes to 6 clients.');
    const second = await recipientsOfRunAt(mailing, new Date(startAt.getTime() + DAY + 60_000));
    const expected = [...clients.filter((client) => client !== clients[1]), added].map((client) => client.id);
    expect(second).to.deep.equal(expected);
  });

  it('when its form is opened, then the box is ticked; unticked, it asks for clients and then keeps the chosen', async () => {
    const mailing = await createdMailing({ allClients: 'on' });
    const edit = await browser.agent.get(`/mailings/${mailing.id}/edit`).expect(200);
    expect(edit.text).to.match(/<input[^>]*id="field-allClients"[^>]*checked/);
    expect(edit.text).to.contain('All clients (4)');

    const refused = await browser.post(`/mailings/${mailing.id}`, form({ messageId: String(mailing.messageId) }));
    expect(refused.status).to.equal(422);
    expect((await mailing.reload()).allClients, 'a refused form changes nothing').to.equal(true);

    const chosen = [clients[0]!, clients[2]!];
    await browser
      .post(
        `/mailings/${mailing.id}`,
        form({ messageId: String(mailing.messageId), clientIds: chosen.map((c) => String(c.id)) }),
      )
      .expect(303);
    expect((await mailing.reload()).allClients).to.equal(false);
    expect(await mailing.countClients()).to.equal(2);
    const again = await browser.agent.get(`/mailings/${mailing.id}/edit`).expect(200);
    expect(again.text).not.to.match(/<input[^>]*id="field-allClients"[^>]*checked/);
    expect(await nextRunLine(browser, mailing)).to.equal('The next run goes to 2 clients.');
  });

  it('when its clients were chosen, then a run goes only to those, not to clients added later', async () => {
    const chosen = [clients[0]!, clients[3]!];
    const mailing = await createdMailing({ clientIds: chosen.map((c) => String(c.id)) });
    expect(mailing.allClients).to.equal(false);
    await makeClient(owner);
    await chosen[1]!.update({ unsubscribedAt: new Date() });
    expect(await nextRunLine(browser, mailing)).to.equal('The next run goes to 1 client.');
    expect(await recipientsOfRunAt(mailing, new Date(startAt.getTime() + 60_000))).to.deep.equal([chosen[0]!.id]);
  });

  it('when the owner reads Russian, then the page counts the next run with the right plural', async () => {
    const mailing = await createdMailing({ allClients: 'on' });
    const russian = await signedIn(site.app, await owner.update({ language: 'ru' }));
    expect(await nextRunLine(russian, mailing)).to.equal('Следующий запуск получат 4 клиента.');
    await makeClient(owner);
    expect(await nextRunLine(russian, mailing)).to.equal('Следующий запуск получат 5 клиентов.');
    for (const client of clients) await client.update({ unsubscribedAt: new Date() });
    expect(await nextRunLine(russian, mailing)).to.equal('Следующий запуск получит 1 клиент.');
  });

  it('when an owner has one, then the home statistics count all their clients as addressed', async () => {
    const before = await computeHomeStats(testDatabase());
    const mailing = await makeMailing(owner);
    expect((await computeHomeStats(testDatabase())).uniqueClients).to.equal(before.uniqueClients);
    await mailing.update({ allClients: true });
    expect((await computeHomeStats(testDatabase())).uniqueClients).to.equal(before.uniqueClients + 4);
  });
});
