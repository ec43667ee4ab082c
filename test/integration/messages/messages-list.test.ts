import { expect } from 'chai';
import { makeMessage, makeUser, unique } from '../../support/factories.js';
import { linksOn, setCreatedAt, shownOrder } from '../../support/lists.js';
import { testDatabase } from '../../support/hooks.js';
import { signedIn, testSite, type Browser, type TestSite } from '../../support/web.js';

async function listed(browser: Browser, query: string): Promise<string> {
  return (await browser.agent.get(`/messages?${query}`).expect(200)).text;
}

describe('the messages list: search and sort', () => {
  let site: TestSite;
  before(() => {
    site = testSite();
  });

  it('when a customer searches a subject in any case, then it is found, and never another owner’s message', async () => {
    const owner = await makeUser();
    const other = await makeUser();
    const tag = unique('t');
    await makeMessage(owner, { subject: `Рассылка к празднику ${tag}` });
    await makeMessage(owner, { subject: `Счёт за декабрь ${tag}` });
    await makeMessage(other, { subject: `Рассылка соседа ${tag}` });
    const browser = await signedIn(site.app, owner);
    for (const words of ['рассылка', 'РАССЫЛКА', 'Рассылка', 'к ПРАЗДН']) {
      const page = await listed(browser, `q=${encodeURIComponent(words)}`);
      expect(page, words).to.contain(`Рассылка к празднику ${tag}`);
      expect(page, words).not.to.contain(`Счёт за декабрь ${tag}`);
      expect(page, words).not.to.contain(`Рассылка соседа ${tag}`);
    }
    const none = await listed(browser, `q=${encodeURIComponent(`соседа ${tag}`)}`);
    expect(none).to.contain(`No messages match “соседа ${tag}”.`);
  });

  it('when a subject is changed, then the new words find it and the old ones no longer do', async () => {
    const owner = await makeUser();
    const tag = unique('e');
    const message = await makeMessage(owner, { subject: `Старое ${tag}` });
    const browser = await signedIn(site.app, owner);
    await browser
      .post(`/messages/${message.id}`, { subject: `Новое ${tag}`, bodyText: 'Текст', bodyHtml: '' })
      .expect(303);
    expect(await listed(browser, `q=${encodeURIComponent(`НОВОЕ ${tag}`)}`)).to.contain(`Новое ${tag}`);
    expect(await listed(browser, `q=${encodeURIComponent(`старое ${tag}`)}`)).not.to.contain(`${tag}</a>`);
  });

  it('when the search holds % or _, then they match themselves, not any text', async () => {
    const owner = await makeUser();
    const tag = unique('w');
    await makeMessage(owner, { subject: `Скидка 50% ${tag}` });
    await makeMessage(owner, { subject: `x_y ${tag}` });
    await makeMessage(owner, { subject: `xzy ${tag}` });
    const browser = await signedIn(site.app, owner);
    const percent = await listed(browser, `q=${encodeURIComponent(`% ${tag}`)}`);
    expect(percent).to.contain(`Скидка 50% ${tag}`);
    expect(percent).not.to.contain(`x_y ${tag}`);
    const underscore = await listed(browser, `q=${encodeURIComponent('x_y')}`);
    expect(underscore).to.contain(`x_y ${tag}`);
    expect(underscore).not.to.contain(`xzy ${tag}`);
  });

  it('when a customer sorts by each column, then both directions order the rows; a bad sort is the default', async () => {
    const owner = await makeUser();
    const tag = unique('s');
    const subjects = ['Апрель', 'береза', 'Вишня'].map((word) => `${word} ${tag}`);
    const [a, b, c] = subjects as [string, string, string];
    const made = [];
    for (const subject of subjects) made.push(await makeMessage(owner, { subject }));
    const base = Date.parse('2026-01-01T00:00:00Z');
    const hour = 3600_000;
    // Created b, c, a; changed a, b, c (oldest first).
    for (const [i, index] of [1, 2, 0].entries())
      await setCreatedAt('messages', made[index]!.id, new Date(base + i * hour));
    for (const [i, message] of made.entries()) {
      await testDatabase().query('UPDATE messages SET updated_at = :at WHERE id = :id', {
        replacements: { at: new Date(base + 10 * hour + i * hour), id: message.id },
      });
    }
    const browser = await signedIn(site.app, owner);
    const expected: Record<string, string[]> = { subject: [a, b, c], created: [b, c, a], updated: [a, b, c] };
    for (const [sort, ascending] of Object.entries(expected)) {
      expect(shownOrder(await listed(browser, `sort=${sort}&dir=asc`), subjects), sort).to.deep.equal(ascending);
      const down = await listed(browser, `sort=${sort}&dir=desc`);
      expect(shownOrder(down, subjects), sort).to.deep.equal([...ascending].reverse());
      expect(down).to.contain('aria-sort="descending"');
    }
    // The default is the last changed first; a key without a direction is ascending.
    for (const query of [
      'sort=mailings&dir=asc',
      'sort=created&dir=sideways',
      'sort=subject&sort=created',
      'dir=asc',
    ]) {
      expect(shownOrder(await listed(browser, query), subjects), query).to.deep.equal([c, b, a]);
    }
    expect(shownOrder(await listed(browser, 'sort=created'), subjects)).to.deep.equal([b, c, a]);
  });

  it('when the list has more than a page, then the pager and the headers keep the search and the sort', async () => {
    const owner = await makeUser();
    const tag = unique('p');
    for (let i = 0; i < 26; i += 1)
      await makeMessage(owner, { subject: `Письмо ${tag} ${String(i).padStart(2, '0')}` });
    const browser = await signedIn(site.app, owner);
    const q = encodeURIComponent('ПИСЬМО');
    const first = await listed(browser, `q=${q}&sort=subject&dir=desc`);
    expect(first).to.contain(`Письмо ${tag} 25`);
    expect(first).not.to.contain(`Письмо ${tag} 00`);
    expect(linksOn(first)).to.include(`/messages?q=${q}&sort=subject&dir=desc&page=2`);
    expect(linksOn(first)).to.include(`/messages?q=${q}&sort=subject&dir=asc`);
    expect(linksOn(first)).to.include(`/messages?q=${q}&sort=created&dir=asc`);
    const second = await listed(browser, `q=${q}&sort=subject&dir=desc&page=2`);
    expect(second).to.contain(`Письмо ${tag} 00`);
  });
});
