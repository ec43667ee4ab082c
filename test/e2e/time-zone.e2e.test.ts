// Issue 16, bug 7: a new account takes the browser's time zone, and keeps the one chosen on the form.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { User } from '../../src/db/models/index.js';
import { browserSuite, type E2eSite, logIn, openPage } from '../support/e2e.js';
import { makeUser, unique } from '../support/factories.js';

describe("in the browser: a new account's time zone", function () {
  this.timeout(90_000);
  let browser: Browser;
  let site: E2eSite;
  const suite = browserSuite();
  beforeEach(() => ({ browser, site } = suite));

  it("when a visitor in Tokyo opens the sign-up form, then its time zone is the browser's", async () => {
    const { page, problems } = await openPage(browser, site, { timezoneId: 'Asia/Tokyo' });
    await page.goto('/');
    await page.getByRole('link', { name: 'Sign up' }).first().click(); // a boosted link: htmx swaps the page in
    await page.getByRole('heading', { name: 'Create your account' }).waitFor();
    expect(await page.getByLabel('Time zone').inputValue()).to.equal('Asia/Tokyo');

    const email = `${unique('tokyo')}@example.test`;
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password', { exact: true }).fill('a-long-unusual-passphrase-42');
    await page.getByLabel('Repeat the password').fill('a-long-unusual-passphrase-42');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();
    expect((await User.findOne({ where: { email } }))?.timeZone).to.equal('Asia/Tokyo');
    expect(problems).to.deep.equal([]);
  });

  it('when the form comes back with errors, then the zone the visitor chose stays', async () => {
    const { page, problems } = await openPage(browser, site, { timezoneId: 'America/New_York' });
    await page.goto('/register');
    expect(await page.getByLabel('Time zone').inputValue()).to.equal('America/New_York');
    await page.getByLabel('Time zone').selectOption(site.config.timeZone);
    await page.getByLabel('E-mail').fill(`${unique('ny')}@example.test`);
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Repeat the password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByText('Use at least 10 characters.').waitFor();
    expect(await page.getByLabel('Time zone').inputValue()).to.equal(site.config.timeZone);
    expect(problems).to.deep.equal([]);
  });

  it('when a Russian user types a city into the zone filter, then the list narrows to it, it is chosen, and saving stores its IANA id', async () => {
    const user = await makeUser();
    await user.update({ language: 'ru' });
    const { page, problems } = await openPage(browser, site, { timezoneId: 'UTC' });
    await logIn(page, user);
    await page.goto('/profile');
    const filter = page.getByLabel('Найти пояс');
    await filter.fill('Влади');
    await filter.press('Enter'); // does not send the form
    const zone = page.getByLabel('Часовой пояс');
    expect(await zone.inputValue()).to.equal('Asia/Vladivostok');
    const shown = await zone.locator('option:not([hidden])').allTextContents();
    expect(shown).to.deep.equal(['UTC+10:00 Владивосток']);
    await page.getByRole('button', { name: 'Сохранить' }).first().click();
    await page.locator('.alert-success').waitFor(); // the "saved" notice of the page after the redirect
    expect((await User.findByPk(user.id))?.timeZone).to.equal('Asia/Vladivostok');
    expect(problems).to.deep.equal([]);
  });
});
