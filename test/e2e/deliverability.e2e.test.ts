import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { SendingDomain } from '../../src/db/models/index.js';
import { useDnsResolver } from '../../src/domains/dns-resolver.js';
import { publishedZone } from '../support/domains.js';
import { makeClient, makeMessage, makeUser, unique } from '../support/factories.js';
import {
  browserSuite,
  type E2eSite,
  logIn,
  openFromNavbar,
  openPage,
  screenshot,
  seriousAccessibilityProblems,
} from '../support/e2e.js';

describe('in the browser: a sending domain, an identity, a signed mailing and the suppression list', function () {
  this.timeout(120_000);
  let browser: Browser;
  let site: E2eSite;
  const suite = browserSuite();
  beforeEach(() => ({ browser, site } = suite));
  afterEach(() => useDnsResolver(null));

  it('when a customer adds a domain, publishes and checks its records, sends as an identity on it and suppresses a client by hand, then each screen shows it', async () => {
    const { page, problems } = await openPage(browser, site);
    const user = await makeUser({ fullName: 'Dora Domain' });
    await makeMessage(user, { subject: 'Spring news' });
    const client = await makeClient(user, { email: `${unique('gone')}@example.test`, fullName: 'Gone Away' });
    await logIn(page, user);

    // The domain: added, its records shown, published (in the test zone) and checked.
    await openFromNavbar(page, 'Domains', 'Sending domains');
    const name = `${unique('news')}.example.test`;
    await page.locator('#field-domain-name').fill(name);
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    await page.getByText('Not verified', { exact: true }).waitFor();
    useDnsResolver(publishedZone([await SendingDomain.findOne({ where: { name }, rejectOnEmpty: true })]));
    await page.getByRole('button', { name: 'Check DNS' }).click();
    await page.getByText("The domain's DKIM record verifies: it is ready to send.").waitFor();
    expect(await page.getByRole('cell', { name: 'OK', exact: true }).count()).to.equal(3);
    await screenshot(page, 'domain');
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);

    // An identity on it, then a mailing that sends as it.
    await page.goto('/domains');
    await page.getByLabel('Display name').fill('Dora at News');
    await page.getByLabel('From address').fill(`dora@${name}`);
    await page.getByRole('button', { name: 'Add identity' }).click();
    await page.getByRole('cell', { name: `dora@${name}`, exact: true }).waitFor();
    await page.goto('/mailings/new');
    await page.getByLabel('Name', { exact: true }).fill('Signed spring news');
    await page.getByLabel('Message').selectOption({ label: 'Spring news' });
    await page.getByLabel('Send as').selectOption({ label: `Dora at News <dora@${name}>` });
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Mailing created.').waitFor();
    expect(await page.locator('#sends-as').innerText()).to.equal(`Dora at News <dora@${name}>`);

    // A suppression by hand (no domain needed for it), and the client list marks the client.
    await openFromNavbar(page, 'Suppressions', 'Suppression list');
    await page.getByLabel('E-mail').fill(client.email);
    await page.getByRole('button', { name: 'Add to the list' }).click();
    await page.getByText(`${client.email} is on the suppression list.`).waitFor();
    await page.getByRole('row').filter({ hasText: client.email }).getByText('Added by hand').first().waitFor();
    await screenshot(page, 'suppressions');
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);
    await openFromNavbar(page, 'Clients', 'Clients');
    const row = page.getByRole('row').filter({ hasText: client.email });
    await row.getByRole('link', { name: /Suppressed/ }).waitFor();
    expect(problems).to.deep.equal([]);
  });
});
