import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { makeClient, makeMailing, makeMessage, makeUser, unique } from '../support/factories.js';
import {
  browserSuite,
  type E2eSite,
  logIn,
  openFromNavbar,
  openPage,
  screenshot as saveScreenshot,
  seriousAccessibilityProblems,
} from '../support/e2e.js';

/**
 * Saves a README screenshot. Playwright hides the caret for it and leaves `style=""` on inputs; htmx would later
 * copy that attribute onto a swapped-in element, which the page's CSP reports as a console error: remove it.
 */
async function screenshot(page: Page, name: string): Promise<void> {
  await saveScreenshot(page, name);
  await page.evaluate(
    "for (const element of document.querySelectorAll('[style=\"\"]')) element.removeAttribute('style')",
  );
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('in the browser: a customer with clients, messages and mailings', function () {
  this.timeout(90_000);
  let browser: Browser;
  let site: E2eSite;
  const suite = browserSuite();
  beforeEach(() => ({ browser, site } = suite));

  it('when a customer adds, edits and deletes a client, imports a CSV file and searches, then the list follows', async () => {
    const { page, problems } = await openPage(browser, site);
    const user = await makeUser({ fullName: 'Carla Customer' });
    const tag = unique('c');
    const existing = await makeClient(user, { email: `old-${tag}@example.test`, fullName: 'Olga Old' });
    await logIn(page, user);
    await openFromNavbar(page, 'Clients', 'Clients');

    // Add one by hand (a wrong e-mail first).
    await page.getByRole('link', { name: 'Add a client' }).first().click();
    await page.getByRole('heading', { name: 'New client' }).waitFor();
    await page.getByLabel('E-mail').fill('not-an-address');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Enter a valid e-mail address.').waitFor();
    const email = `ada-${tag}@example.test`;
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Full name').fill('Ada Lovelace');
    await page.getByLabel('Comment').fill('met at the fair');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Client added.').waitFor();
    const row = page.getByRole('row').filter({ hasText: email });
    await row.getByText('Ada Lovelace').waitFor();

    // Edit it.
    await row.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/\/clients\/\d+\/edit$/);
    await page.getByRole('heading', { name: 'Edit client' }).waitFor();
    await page.waitForLoadState('networkidle'); // htmx has finished swapping in the form
    expect(await page.getByLabel('E-mail').inputValue()).to.equal(email);
    await page.getByLabel('Full name').fill('Ada King');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/clients$/);
    await page.getByText('Client saved.').waitFor();
    await row.getByText('Ada King').waitFor();

    // Delete it, accepting the confirmation.
    let question = '';
    page.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await row.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Client deleted.').waitFor();
    expect(question).to.equal(`Delete the client ${email} for good? Past deliveries stay in the log.`);
    expect(await row.count()).to.equal(0);
    await page.getByRole('row').filter({ hasText: existing.email }).waitFor();

    // Import a CSV file: three new rows, one existing client, one repeated row, one with a bad e-mail.
    await page.getByRole('link', { name: 'Import CSV' }).click();
    await page.getByRole('heading', { name: 'Import clients from a CSV file' }).waitFor();
    const csv = [
      'email,full_name,comment',
      `grace-${tag}@example.test,Grace Hopper,navy`,
      `alan-${tag}@example.test,Alan Turing,`,
      `${existing.email},Olga Old,already there`,
      `grace-${tag}@example.test,Grace again,repeated`,
      'not-an-address,Nobody,broken',
      `katherine-${tag}@example.test,Katherine Johnson,NASA`,
    ].join('\n');
    await page.getByLabel('CSV file').setInputFiles({
      name: 'clients.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(csv, 'utf8'),
    });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByRole('heading', { name: 'Check the import' }).waitFor();
    await page.getByText('6 rows in the file').waitFor();
    await page.getByText('3 will be imported').waitFor();
    const statusOf = (text: string) => page.getByRole('row').filter({ hasText: text }).last().getByRole('cell').nth(4);
    expect(await statusOf('Grace Hopper').innerText()).to.equal('Will be imported');
    expect(await statusOf('Alan Turing').innerText()).to.equal('Will be imported');
    expect(await statusOf('already there').innerText()).to.equal('Skipped: already exists');
    expect(await statusOf('Grace again').innerText()).to.equal('Skipped: repeated in the file');
    expect(await statusOf('not-an-address').innerText()).to.match(/^Skipped: errors\s+E-mail: Enter a valid/);
    await screenshot(page, 'clients-import');
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);
    await page.getByRole('button', { name: 'Import 3 clients' }).click();
    await page.getByText('3 clients imported, 3 skipped.').waitFor();
    await page.getByText('4 clients', { exact: true }).waitFor();
    for (const name of ['Grace Hopper', 'Alan Turing', 'Katherine Johnson', 'Olga Old']) {
      await page.getByRole('cell', { name, exact: true }).waitFor();
    }
    await screenshot(page, 'clients');
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);

    // Search: the list changes as one types, without leaving the page.
    await page.evaluate(() => {
      (globalThis as unknown as { stillHere: boolean }).stillHere = true;
    });
    const search = page.getByRole('searchbox', { name: 'Search clients' });
    await search.fill('turing');
    await page.getByText('1 client', { exact: true }).waitFor();
    await page.waitForURL(/\/clients\?q=turing$/);
    expect(await page.getByRole('cell', { name: 'Alan Turing', exact: true }).count()).to.equal(1);
    expect(await page.getByRole('cell', { name: 'Grace Hopper', exact: true }).count()).to.equal(0);
    await search.fill('nasa');
    await page.getByRole('cell', { name: 'Katherine Johnson', exact: true }).waitFor();
    await page.getByText('1 client', { exact: true }).waitFor();
    await search.fill('nobody-like-this');
    await page.getByText('No client matches “nobody-like-this”.').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as { stillHere?: boolean }).stillHere)).to.equal(true);
    await page.getByRole('link', { name: 'Show all clients' }).click();
    await page.getByText('4 clients', { exact: true }).waitFor();
    expect(problems).to.deep.equal([]);
  });

  it('when a customer writes a message and creates a mailing that starts now, then it is sent to every client and the report shows the replies', async () => {
    const { page, problems } = await openPage(browser, site);
    const user = await makeUser({ fullName: 'Mona Mailer' });
    const tag = unique('m');
    const clients = [
      await makeClient(user, { email: `ada-${tag}@example.test`, fullName: 'Ada Lovelace' }),
      await makeClient(user, { email: `grace-${tag}@example.test`, fullName: 'Grace Hopper' }),
      await makeClient(user, { email: `alan-${tag}@example.test`, fullName: 'Alan Turing' }),
    ];
    await logIn(page, user);

    // The message, with a placeholder, and its preview for the first client.
    await openFromNavbar(page, 'Messages', 'Messages');
    await page.getByRole('link', { name: 'New message' }).first().click();
    await page.getByRole('heading', { name: 'New message' }).waitFor();
    const subject = `Spring news ${tag}`;
    await page.getByLabel('Subject').fill(subject);
    await page.getByLabel('Text', { exact: true }).fill('Hello {{full_name}},\n\nour spring catalogue is out.');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Message created.').waitFor();
    await page.getByRole('heading', { name: subject, level: 1 }).waitFor();
    await page.getByText(`Ada Lovelace <${clients[0]?.email}>`).waitFor();
    await page.getByText('Hello Ada Lovelace,').waitFor();
    await screenshot(page, 'message');
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);

    // The mailing: the form starts now by default.
    await openFromNavbar(page, 'Mailings', 'Mailings');
    await page.getByRole('link', { name: 'New mailing' }).first().click();
    await page.getByRole('heading', { name: 'New mailing' }).waitFor();
    const name = `Spring mailing ${tag}`;
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel('Message', { exact: true }).selectOption({ label: subject });
    const allClients = page.getByLabel('All clients (3)');
    const boxOf = (client: (typeof clients)[number]) => page.getByLabel(`${client.fullName} <${client.email}>`);
    // Leaving one client out unticks "All clients"; ticking it again takes everyone.
    await boxOf(clients[1] as (typeof clients)[number]).uncheck();
    expect(await allClients.isChecked()).to.equal(false);
    await allClients.check();
    for (const client of clients) expect(await boxOf(client).isChecked()).to.equal(true);
    await screenshot(page, 'mailing-form');
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Mailing created.').waitFor();
    await page.getByRole('heading', { name, level: 1 }).waitFor();

    // The page follows the run by itself, and shows it finished in the history.
    const progress = page.locator('#run-progress');
    await progress.locator('strong', { hasText: '100 %' }).waitFor({ timeout: 30_000 });
    const history = page.getByRole('table');
    await history.getByText('Finished').waitFor({ timeout: 30_000 });
    await history.getByText('3 sent, 0 failed, 0 unknown of 3').waitFor();
    await progress.getByText('3 sent, 0 failed, 0 unknown of 3').waitFor();
    await screenshot(page, 'mailing-progress');
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);

    // The report, then the run's log with each server reply.
    await openFromNavbar(page, 'Report', 'Report of conducted mailings');
    await page.getByRole('heading', { name: 'Deliveries per day' }).waitFor();
    await page.getByRole('img', { name: 'Deliveries per day' }).waitFor();
    await screenshot(page, 'report');
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);
    await page.getByRole('link', { name: new RegExp(`^Log of ${escapeRegExp(name)},`) }).click();
    await page.getByRole('heading', { name: `Run log: ${name}` }).waitFor();
    await page.getByRole('heading', { name: '3 recipients' }).waitFor();
    for (const client of clients) {
      const cells = page.getByRole('row').filter({ hasText: client.email }).getByRole('cell');
      expect(await cells.nth(1).innerText()).to.equal(client.fullName);
      expect(await cells.nth(2).innerText()).to.equal('Sent');
      expect(await cells.nth(3).innerText()).to.equal('1');
      expect(await cells.nth(5).innerText()).to.match(/^250 2\.0\.0 Ok: queued as TEST\d+$/);
    }
    await screenshot(page, 'run-log');
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);

    const counts = site.smtp.countsByRecipient();
    expect(clients.map((c) => counts.get(c.email))).to.deep.equal([1, 1, 1]);
    expect(problems).to.deep.equal([]);
  });

  it('when a customer deletes a mailing from its page and confirms, then it is gone from the list', async () => {
    const { page, problems } = await openPage(browser, site);
    const user = await makeUser({ fullName: 'Dora Deleter' });
    const message = await makeMessage(user);
    const kept = await makeMailing(user, { message, clients: [await makeClient(user)] });
    const doomed = await makeMailing(user, { message, clients: [await makeClient(user)] });
    await logIn(page, user);
    await openFromNavbar(page, 'Mailings', 'Mailings');
    await page.getByRole('link', { name: doomed.name }).click();
    await page.getByRole('heading', { name: doomed.name, level: 1 }).waitFor();

    let question = '';
    page.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Mailing deleted.').waitFor();
    await page.waitForURL(/\/mailings$/);
    expect(question).to.equal('Delete this mailing with its runs and delivery log?');
    await page.getByRole('link', { name: kept.name }).waitFor();
    expect(await page.getByRole('link', { name: doomed.name }).count()).to.equal(0);
    expect(problems).to.deep.equal([]);
  });
});
