import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { User } from '../../src/db/models/index.js';
import {
  FACTORY_PASSWORD,
  makeClient,
  makeMailing,
  makeMessage,
  makeRun,
  makeUser,
  unique,
} from '../support/factories.js';
import {
  browserSuite,
  type E2eSite,
  logIn,
  openPage,
  screenshot,
  seriousAccessibilityProblems,
} from '../support/e2e.js';

/** Clicks a link of the main navigation and waits until htmx has put its page in place (address, heading). */
async function navigate(page: Page, link: string, heading: string | RegExp, menu = 'Main navigation'): Promise<void> {
  const anchor = page.getByRole('navigation', { name: menu }).getByRole('link', { name: link });
  const href = await anchor.getAttribute('href');
  await anchor.click();
  await page.waitForURL((url) => `${url.pathname}${url.search}` === href);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

describe('in the browser: who sees what', function () {
  this.timeout(90_000);
  let browser: Browser;
  let site: E2eSite;
  const suite = browserSuite();
  beforeEach(() => ({ browser, site } = suite));

  it("a customer sees none of another customer's data, and the other's addresses answer 'Page not found'", async () => {
    const first = await makeUser({ fullName: 'First Owner' });
    const firstClient = await makeClient(first, { fullName: unique('Hidden Client ') });
    const firstMessage = await makeMessage(first, { subject: unique('Hidden subject ') });
    const firstMailing = await makeMailing(first, { message: firstMessage, clients: [firstClient] });
    const firstRun = await makeRun(firstMailing);
    const second = await makeUser({ fullName: 'Second Owner' });
    const secondClient = await makeClient(second, { fullName: unique('Own Client ') });
    const secondMessage = await makeMessage(second, { subject: unique('Own subject ') });
    const secondMailing = await makeMailing(second, { message: secondMessage, clients: [secondClient] });
    await makeRun(secondMailing);

    const { page, problems } = await openPage(browser, site);
    await logIn(page, second);
    const main = page.locator('main');

    await navigate(page, 'Clients', 'Clients');
    await main.getByText(secondClient.fullName).waitFor();
    expect(await main.textContent())
      .not.to.include(firstClient.fullName)
      .and.not.to.include(firstClient.email);

    await navigate(page, 'Messages', 'Messages');
    await main.getByText(secondMessage.subject).waitFor();
    expect(await main.textContent()).not.to.include(firstMessage.subject);

    await navigate(page, 'Mailings', 'Mailings');
    await main.getByRole('link', { name: secondMailing.name, exact: true }).waitFor();
    expect(await main.textContent()).not.to.include(firstMailing.name);

    await navigate(page, 'Report', 'Report of conducted mailings');
    await main.getByRole('link', { name: secondMailing.name, exact: true }).waitFor();
    expect(await main.textContent()).not.to.include(firstMailing.name);
    const mailingChoices = await page.getByLabel('Mailing', { exact: true }).locator('option').allTextContents();
    expect(mailingChoices).to.include(secondMailing.name).and.not.to.include(firstMailing.name);

    // Typing the first customer's addresses: each is "not found" (not "forbidden", which would confirm it exists).
    for (const address of [
      `/clients/${firstClient.id}/edit`,
      `/messages/${firstMessage.id}`,
      `/mailings/${firstMailing.id}`,
      `/reports/runs/${firstRun.id}`,
    ]) {
      const response = await page.goto(address);
      expect(response?.status(), address).to.equal(404);
      await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
      expect(await main.textContent())
        .not.to.include(firstMailing.name)
        .and.not.to.include(firstMessage.subject);
    }
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);
    // The browser logs each 404 document it was sent; nothing else may go wrong.
    expect(problems.filter((problem) => !/status of 404/.test(problem))).to.deep.equal([]);
  });
  it('a manager oversees every mailing: disables one with a reason, blocks a customer, and edits nothing', async () => {
    const manager = await makeUser({ role: 'manager', fullName: 'Mona Manager' });
    const owner = await makeUser({ fullName: 'Olga Owner' });
    const other = await makeUser({ fullName: 'Oscar Other' });
    const ownersMailing = await makeMailing(owner, { clients: [await makeClient(owner)] });
    const othersMailing = await makeMailing(other, { clients: [await makeClient(other)] });
    const reason = 'The list was bought, not collected.';

    // The customer to be blocked is signed in elsewhere, in their own browser profile.
    const blocked = await openPage(browser, site);
    await logIn(blocked.page, other);

    const { page, problems } = await openPage(browser, site);
    await logIn(page, manager);
    await navigate(page, 'Mailings', 'Mailings');
    for (const [mailing, mailingOwner] of [
      [ownersMailing, owner],
      [othersMailing, other],
    ] as const) {
      const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: mailing.name, exact: true }) });
      await row.waitFor();
      expect(await row.getByRole('cell').nth(1).textContent()).to.equal(mailingOwner.email);
    }
    expect(await page.getByRole('link', { name: 'New mailing' }).count()).to.equal(0);
    await screenshot(page, 'manager-mailings');
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);

    await page.getByRole('link', { name: ownersMailing.name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: ownersMailing.name }).waitFor();
    await page.getByRole('heading', { name: 'Manager actions' }).waitFor();
    for (const name of ['Edit', 'Delete', 'Send now']) {
      expect(await page.getByRole('link', { name, exact: true }).count(), name).to.equal(0);
      expect(await page.getByRole('button', { name, exact: true }).count(), name).to.equal(0);
    }
    await page.getByLabel('Reason (the owner sees it)').fill(reason);
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page.getByText('Mailing disabled: no new runs start. No run was under way.').waitFor();
    await page.getByRole('button', { name: 'Enable again' }).waitFor();

    await navigate(page, 'Users', 'Users');
    await page.getByLabel('Search').fill(other.email);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((url) => url.searchParams.get('q') === other.email);
    const row = page.getByRole('row').filter({ hasText: other.email });
    await row.getByLabel('Reason').fill('Sends to bought lists.');
    await row.getByRole('button', { name: 'Block' }).click();
    // Back on the filtered list (the whole list has pages; other tests' users share the database).
    await page.getByText(`${other.email} is blocked: their next page tells them why and signs them out.`).waitFor();
    const blockedRow = page.getByRole('row').filter({ hasText: other.email });
    await blockedRow.getByText('Blocked', { exact: true }).waitFor();
    expect(await blockedRow.textContent())
      .to.include(`by ${manager.email} on`)
      .and.include('Sends to bought lists.');
    await screenshot(page, 'manager-users');
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);
    expect(problems).to.deep.equal([]);

    // The blocked customer's next click tells them why and whom to write to; the one after lands on the login
    // page, and they cannot log in again.
    const clientsLink = blocked.page
      .getByRole('navigation', { name: 'Main navigation' })
      .getByRole('link', { name: 'Clients' });
    await clientsLink.click();
    await blocked.page.getByRole('heading', { level: 1, name: 'Your account is blocked' }).waitFor();
    await blocked.page.getByText('Sends to bought lists.').waitFor();
    await blocked.page.getByRole('link', { name: manager.email }).waitFor();
    await blocked.page.goto(`${site.baseUrl}/clients`);
    await blocked.page.waitForURL(/\/login/);
    await blocked.page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor();
    await blocked.page.getByLabel('E-mail').fill(other.email);
    await blocked.page.getByLabel('Password').fill(FACTORY_PASSWORD);
    await blocked.page.getByRole('button', { name: 'Log in' }).click();
    await blocked.page.getByText('A manager of the service has blocked this account').waitFor();
    await blocked.page.getByText('Sends to bought lists.').waitFor();
    // By design the blocked session's page and the refused login are 403s; the browser logs both.
    expect(blocked.problems.filter((problem) => !/status of 40[13]/.test(problem))).to.deep.equal([]);

    // The owner, logging in afterwards, sees who disabled the mailing and why.
    const owners = await openPage(browser, site);
    await logIn(owners.page, owner);
    await navigate(owners.page, 'Mailings', 'Mailings');
    await owners.page.getByRole('link', { name: ownersMailing.name, exact: true }).click();
    const notice = owners.page.getByRole('status').filter({ hasText: 'Disabled by' });
    await notice.waitFor();
    const text = (await notice.textContent()) ?? '';
    expect(text).to.match(
      /^Disabled by Mona Manager on \d{4}-\d\d-\d\d \d\d:\d\d UTC(?:[+-]\d\d:\d\d)?: no new runs start\./,
    );
    expect(text).to.include(`Reason: ${reason}`);
    expect(await owners.page.getByRole('button', { name: 'Send now' }).count()).to.equal(0);
    expect(owners.problems).to.deep.equal([]);
  });
  it('the language switches to Russian and back, for a visitor and for a user whose profile keeps it', async () => {
    const { page, problems } = await openPage(browser, site);
    const language = page.getByRole('group', { name: 'Language' });
    await page.goto('/');
    await language.getByRole('link', { name: 'Русский' }).click();
    await page.locator('html[lang="ru"]').waitFor({ state: 'attached' });
    await page.getByRole('navigation', { name: 'Основная навигация' }).getByRole('link', { name: 'Войти' }).click();
    await page.getByRole('heading', { level: 1, name: 'Вход' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).to.equal('ru');
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);
    await page.getByRole('group', { name: 'Язык' }).getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Log in' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).to.equal('en');
    expect(problems).to.deep.equal([]);

    // A signed-in user's choice goes into their profile: it follows them to their next session.
    const user = await makeUser({ fullName: 'Ruslan Reader' });
    await makeMailing(user, { clients: [await makeClient(user)], periodicity: 'weekly' });
    const signedIn = await openPage(browser, site);
    const userPage = signedIn.page;
    await logIn(userPage, user);
    await userPage.getByRole('form', { name: 'Language' }).getByRole('button', { name: 'Русский' }).click();
    await userPage.getByRole('heading', { name: 'С возвращением, Ruslan Reader' }).waitFor();
    expect(await userPage.locator('html').getAttribute('lang')).to.equal('ru');
    expect((await User.findByPk(user.id))?.language).to.equal('ru');
    await userPage.getByRole('button', { name: 'Выйти' }).click();
    await userPage.getByRole('link', { name: 'Log in' }).first().waitFor();
    expect(await userPage.locator('html').getAttribute('lang')).to.equal('en');

    await userPage.goto('/login');
    await userPage.getByLabel('E-mail').fill(user.email);
    await userPage.getByLabel('Password').fill(FACTORY_PASSWORD);
    await userPage.getByRole('button', { name: 'Log in' }).click();
    await userPage.getByRole('heading', { name: 'С возвращением, Ruslan Reader' }).waitFor();
    await navigate(userPage, 'Рассылки', 'Рассылки', 'Основная навигация');
    expect(await userPage.locator('html').getAttribute('lang')).to.equal('ru');
    await screenshot(userPage, 'russian');
    expect(await seriousAccessibilityProblems(userPage)).to.deep.equal([]);
    await userPage.getByRole('link', { name: 'Ruslan Reader' }).click();
    await userPage.getByRole('heading', { level: 1, name: 'Ваш профиль' }).waitFor();
    const chosen = userPage.getByLabel('Язык', { exact: true });
    expect(await chosen.locator('option:checked').textContent()).to.equal('Русский');

    await userPage.getByRole('form', { name: 'Язык' }).getByRole('button', { name: 'English' }).click();
    await userPage.getByRole('heading', { level: 1, name: 'Your profile' }).waitFor();
    expect(await userPage.locator('html').getAttribute('lang')).to.equal('en');
    expect((await User.findByPk(user.id))?.language).to.equal('en');
    expect(signedIn.problems).to.deep.equal([]);
  });
});
