// A Russian-speaking customer walks the screens where issue 16's bugs were found, in Russian.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { makeMessage, makeUser } from '../support/factories.js';
import { browserSuite, type E2eSite, logIn, openPage } from '../support/e2e.js';

describe('in the browser, in Russian: what a new Russian-speaking customer found', function () {
  this.timeout(90_000);
  let browser: Browser;
  let site: E2eSite;
  const suite = browserSuite();
  beforeEach(() => ({ browser, site } = suite));

  it('when a message has several lines, then its preview shows them as lines', async () => {
    const { page, problems } = await openPage(browser, site, { locale: 'ru-RU' });
    const user = await (await makeUser({ fullName: 'Вера Кузнецова' })).update({ language: 'ru' });
    const message = await makeMessage(user, { subject: 'Новости', bodyText: 'Здравствуйте!\n\nВторая строка\nТретья' });
    await logIn(page, user);
    await page.goto(`/messages/${message.id}`);
    await page.getByRole('heading', { name: 'Новости' }).waitFor();
    const shown = await page.locator('pre').innerText();
    expect(shown).to.contain('Здравствуйте!\n\nВторая строка\nТретья');
    expect(problems).to.deep.equal([]);
  });
});
