import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { MailingRun } from '../../src/db/models/index.js';
import { makeClient, makeMailing, makeUser } from '../support/factories.js';
import { browserSuite, type E2eSite, logIn, openPage } from '../support/e2e.js';

describe('in the browser: confirming a run', function () {
  this.timeout(90_000);
  let browser: Browser;
  let site: E2eSite;
  const suite = browserSuite();
  beforeEach(() => ({ browser, site } = suite));

  it('when "Send now" is dismissed, nothing starts; when accepted, the dialog named the clients and run #1 starts', async () => {
    const owner = await makeUser();
    const mailing = await makeMailing(owner, { clients: [await makeClient(owner), await makeClient(owner)] });
    const { page, problems } = await openPage(browser, site);
    await logIn(page, owner);
    await page.goto(`/mailings/${mailing.id}`);
    await page.getByRole('heading', { level: 1, name: mailing.name }).waitFor();

    const asked = new Promise<string>((resolve) => {
      page.once('dialog', (dialog) => {
        resolve(dialog.message());
        void dialog.dismiss();
      });
    });
    await page.getByRole('button', { name: 'Send now' }).click();
    const question = await asked;
    await page.waitForLoadState('networkidle');
    expect(question).to.equal('Send this mailing now? It goes to 2 clients.');
    expect(await MailingRun.count({ where: { mailingId: mailing.id } })).to.equal(0);

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Send now' }).click();
    await page.getByText('Run #1 started').waitFor();
    expect(await MailingRun.count({ where: { mailingId: mailing.id } })).to.equal(1);
    expect(problems).to.deep.equal([]);
  });
});
