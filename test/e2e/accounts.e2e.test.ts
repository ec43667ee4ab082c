import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { unique } from '../support/factories.js';
import {
  browserSuite,
  type E2eSite,
  linkFromOutbox,
  openPage,
  screenshot,
  seriousAccessibilityProblems,
} from '../support/e2e.js';

describe('in the browser: accounts', function () {
  this.timeout(90_000);
  let browser: Browser;
  let site: E2eSite;
  const suite = browserSuite();
  beforeEach(() => ({ browser, site } = suite));

  it('when a visitor registers, opens the verification e-mail and follows its link, then they can log in', async () => {
    const { page, problems } = await openPage(browser, site);
    const email = `${unique('browser')}@example.test`;
    await page.goto('/');
    await screenshot(page, 'home');
    await page.getByRole('link', { name: 'Sign up' }).first().click();
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Full name').fill('Bea Browser');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Repeat the password').fill('short');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByText('Use at least 10 characters.').waitFor();
    expect(await page.getByLabel('E-mail').inputValue()).to.equal(email);
    await screenshot(page, 'register-errors');

    await page.getByLabel('Password', { exact: true }).fill('a-long-unusual-passphrase-42');
    await page.getByLabel('Repeat the password').fill('a-long-unusual-passphrase-42');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Check your e-mail' }).waitFor();

    await page.goto('/login');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('a-long-unusual-passphrase-42');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByText('Confirm your e-mail address first').waitFor();

    await page.goto(await linkFromOutbox(site, /http:\/\/127\.0\.0\.1:\d+\/verify\/[A-Za-z0-9_-]+/));
    await page.getByText('Your e-mail is confirmed').waitFor();
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill('a-long-unusual-passphrase-42');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Welcome back, Bea Browser' }).waitFor();
    expect(await seriousAccessibilityProblems(page)).to.deep.equal([]);
    expect(problems).to.deep.equal([]);
  });
});
