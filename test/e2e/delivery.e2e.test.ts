import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { Client, Message, User } from '../../src/db/models/index.js';
import { makeClient, makeMessage, makeUser, unique } from '../support/factories.js';
import { browserSuite, type E2eSite, logIn, openFromNavbar, openPage } from '../support/e2e.js';

/** A `datetime-local` value in UTC (the factory users' zone), to the second. */
function utcInput(at: Date): string {
  return at.toISOString().slice(0, 19);
}

/** A customer with a message and some clients, ready to create a mailing. */
async function customerWithMaterial(
  clientCount: number,
): Promise<{ user: User; message: Message; clients: Client[]; tag: string }> {
  const tag = unique('d');
  const user = await makeUser({ fullName: 'Dana Delivery' });
  const message = await makeMessage(user, { subject: `News ${tag}`, bodyText: 'Hello {{full_name}}' });
  const clients: Client[] = [];
  for (let i = 1; i <= clientCount; i += 1) {
    clients.push(await makeClient(user, { email: `client${i}-${tag}@example.test`, fullName: `Client ${i}` }));
  }
  return { user, message, clients, tag };
}

/** Fills the new-mailing form for all clients; the start and end stay the form's own unless given. */
async function fillNewMailing(page: Page, name: string, message: Message, startAt?: Date, endAt?: Date) {
  await openFromNavbar(page, 'Mailings', 'Mailings');
  await page.getByRole('link', { name: 'New mailing' }).first().click();
  await page.getByRole('heading', { name: 'New mailing' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Message', { exact: true }).selectOption({ label: message.subject });
  await page.getByLabel(/^All clients/).check();
  if (startAt) await page.getByLabel('Start', { exact: true }).fill(utcInput(startAt));
  if (endAt) await page.getByLabel('End', { exact: true }).fill(utcInput(endAt));
}

describe('in the browser: mailings going out through the SMTP server', function () {
  this.timeout(90_000);
  let browser: Browser;
  let site: E2eSite;
  const suite = browserSuite();
  beforeEach(() => ({ browser, site } = suite));
  afterEach(async () => {
    await site?.smtp.setMode('accept');
  });

  it('when a mailing is set to start in a minute, then its page waits, and shows the finished run without a click', async function () {
    this.timeout(120_000);
    const { page, problems } = await openPage(browser, site);
    const { user, message, clients, tag } = await customerWithMaterial(2);
    const progressPolls: number[] = [];
    page.on('request', (request) => {
      if (/\/mailings\/\d+\/progress\b/.test(request.url())) progressPolls.push(Date.now());
    });
    await logIn(page, user);

    const name = `In a minute ${tag}`;
    // Whole seconds, as the form takes them: the run may start at this very instant, not a fraction later.
    const startAt = new Date(Math.floor(Date.now() / 1000) * 1000 + 60_000);
    await fillNewMailing(page, name, message, startAt, new Date(startAt.getTime() + 3600_000));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Mailing created.').waitFor();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    const progress = page.locator('#run-progress');
    await progress.getByText(/^The first run starts at /).waitFor();
    expect(await page.getByText('No run yet.').count()).to.equal(1);

    // Nobody touches the page: it asks for its progress while the run is about to start, then shows it done.
    const history = page.getByRole('table');
    await history.getByText('Finished').waitFor({ timeout: 80_000 });
    const finishedSeenAt = Date.now();
    await history.getByText('2 sent, 0 failed, 0 unknown of 2').waitFor();
    await progress.locator('strong', { hasText: '100 %' }).waitFor();
    expect(finishedSeenAt).to.be.at.least(startAt.getTime());
    expect(finishedSeenAt - startAt.getTime()).to.be.below(15_000);
    expect(progressPolls.filter((at) => at < startAt.getTime()).length).to.be.at.least(5);

    const counts = site.smtp.countsByRecipient();
    expect(clients.map((c) => counts.get(c.email))).to.deep.equal([1, 1]);
    expect(problems).to.deep.equal([]);
  });

  it('when the SMTP server refuses everything for a while, then the run pauses, the site stays quick, and once it is back everyone gets one copy', async () => {
    const { page, problems } = await openPage(browser, site);
    const { user, message, clients, tag } = await customerWithMaterial(6);
    await logIn(page, user);

    await site.smtp.setMode('drop');
    const name = `Through an outage ${tag}`;
    await fillNewMailing(page, name, message);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Mailing created.').waitFor();
    // The run stops itself after a few dropped connections instead of burning through the list.
    const progress = page.locator('#run-progress');
    await progress.getByText('Mail server unavailable: the run resumes by itself').waitFor({ timeout: 30_000 });
    await progress.getByText('Paused', { exact: true }).waitFor();

    // Meanwhile the site answers at once.
    const loadTimes = [
      await openFromNavbar(page, 'Clients', 'Clients'),
      await openFromNavbar(page, 'Messages', 'Messages'),
      await openFromNavbar(page, 'Report', 'Report of conducted mailings'),
    ];
    // The run's log: deliveries tried and kept for another attempt (perhaps under way), with what went wrong;
    // the failures of an outage cost them no attempt.
    const started = Date.now();
    await page.getByRole('link', { name: new RegExp(`^Log of ${name},`) }).click();
    await page.getByRole('heading', { name: `Run log: ${name}` }).waitFor();
    loadTimes.push(Date.now() - started);
    const firstRow = page.getByRole('row').filter({ hasText: clients[0]?.email }).getByRole('cell');
    // The status, then (for a delivery waiting for its next try) when that is.
    const [status, nextTry] = (await firstRow.nth(2).innerText()).split('\n');
    expect(status).to.be.oneOf(['Pending', 'Sending']);
    if (nextTry !== undefined) expect(nextTry).to.match(/^next try at \d{4}-\d\d-\d\d \d\d:\d\d/);
    expect(Number(await firstRow.nth(3).innerText())).to.be.at.most(1);
    expect(await firstRow.nth(6).innerText()).to.equal('Mail server unavailable\nconnection'); // words, then the class
    for (const ms of loadTimes) expect(ms).to.be.below(2000);

    // The server is back: the same run resumes by itself and completes.
    await site.smtp.setMode('accept');
    await page.getByRole('link', { name, exact: true }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    await page.getByRole('table').getByText('Finished').waitFor({ timeout: 30_000 });
    await page.getByRole('table').getByText('6 sent, 0 failed, 0 unknown of 6').waitFor();
    await progress.locator('strong', { hasText: '100 %' }).waitFor();

    const counts = site.smtp.countsByRecipient();
    expect(clients.map((c) => counts.get(c.email))).to.deep.equal([1, 1, 1, 1, 1, 1]);
    expect(problems).to.deep.equal([]);
  });
});
