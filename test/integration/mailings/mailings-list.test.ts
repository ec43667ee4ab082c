import { expect } from 'chai';
import type { Mailing, User } from '../../../src/db/models/index.js';
import { makeMailing, makeUser, unique } from '../../support/factories.js';
import { linksOn, setCreatedAt, shownOrder } from '../../support/lists.js';
import { signedIn, testSite, type Browser, type TestSite } from '../../support/web.js';

async function listed(browser: Browser, query: string): Promise<string> {
  return (await browser.agent.get(`/mailings?${query}`).expect(200)).text;
}

/** Four mailings of one owner, one of each state, with distinct names, creation times and next runs. */
async function fourMailings(owner: User, tag: string): Promise<Record<'a' | 'b' | 'c' | 'd', Mailing>> {
  const hour = 3600_000;
  const a = await makeMailing(owner, { name: `Альфа ${tag}` });
  const b = await makeMailing(owner, { name: `бета ${tag}` });
  const c = await makeMailing(owner, { name: `Гамма ${tag}` });
  const d = await makeMailing(owner, { name: `дельта ${tag}` });
  await a.update({ status: 'running', nextRunAt: new Date(Date.now() + 3 * hour) });
  await b.update({ status: 'created', nextRunAt: new Date(Date.now() + 1 * hour) });
  await c.update({ status: 'completed', nextRunAt: null });
  await d.update({ isDisabled: true, nextRunAt: new Date(Date.now() + 2 * hour) });
  const base = Date.parse('2026-01-01T00:00:00Z');
  for (const [i, mailing] of [c, a, d, b].entries())
    await setCreatedAt('mailings', mailing.id, new Date(base + i * hour));
  return { a, b, c, d };
}

describe('the mailings list: search and sort', () => {
  let site: TestSite;
  before(() => {
    site = testSite();
  });

  it('when a customer searches in any case, then the Cyrillic name is found, and never another owner’s mailing', async () => {
    const owner = await makeUser();
    const other = await makeUser();
    const tag = unique('t');
    await makeMailing(owner, { name: `Рассылка новостей ${tag}` });
    await makeMailing(owner, { name: `Акция недели ${tag}` });
    await makeMailing(other, { name: `Рассылка соседа ${tag}` });
    const browser = await signedIn(site.app, owner);
    for (const words of ['рассылка', 'РАССЫЛКА', 'Рассылка', 'рАсСыЛкА нов']) {
      const page = await listed(browser, `q=${encodeURIComponent(words)}`);
      expect(page, words).to.contain(`Рассылка новостей ${tag}`);
      expect(page, words).not.to.contain(`Акция недели ${tag}`);
      expect(page, words).not.to.contain(`Рассылка соседа ${tag}`);
    }
    const none = await listed(browser, `q=${encodeURIComponent('соседа')}`);
    expect(none).not.to.contain(`Рассылка соседа ${tag}`);
    expect(none).to.contain('No mailings match “соседа”.');
  });

  it('when the search holds % or _, then they match themselves, not any text', async () => {
    const owner = await makeUser();
    const tag = unique('w');
    await makeMailing(owner, { name: `Скидка 100% ${tag}` });
    await makeMailing(owner, { name: `a_b ${tag}` });
    await makeMailing(owner, { name: `axb ${tag}` });
    const browser = await signedIn(site.app, owner);
    const percent = await listed(browser, `q=${encodeURIComponent('%')}`);
    expect(percent).to.contain(`Скидка 100% ${tag}`);
    expect(percent).not.to.contain(`a_b ${tag}`);
    const underscore = await listed(browser, `q=${encodeURIComponent('a_b')}`);
    expect(underscore).to.contain(`a_b ${tag}`);
    expect(underscore).not.to.contain(`axb ${tag}`);
  });

  it('when a customer sorts by each column, then both directions order the rows, the headers marking it', async () => {
    const owner = await makeUser();
    const tag = unique('s');
    await fourMailings(owner, tag);
    const browser = await signedIn(site.app, owner);
    const names = ['Альфа', 'бета', 'Гамма', 'дельта'].map((name) => `${name} ${tag}`);
    const [a, b, c, d] = names as [string, string, string, string];
    const expected: Record<string, string[]> = {
      name: [a, b, c, d],
      created: [c, a, d, b],
      nextRun: [b, d, a, c],
      state: [a, b, c, d],
    };
    for (const [sort, ascending] of Object.entries(expected)) {
      const up = await listed(browser, `sort=${sort}&dir=asc`);
      expect(shownOrder(up, names), `${sort} asc`).to.deep.equal(ascending);
      expect(up).to.contain('aria-sort="ascending"').and.to.contain('▲');
      const down = await listed(browser, `sort=${sort}&dir=desc`);
      expect(shownOrder(down, names), `${sort} desc`).to.deep.equal([...ascending].reverse());
      expect(down).to.contain('aria-sort="descending"').and.to.contain('▼');
      expect(linksOn(up)).to.include(`/mailings?sort=${sort}&dir=desc`);
    }
  });

  it('when the sort is unknown, repeated or its direction bad, then the list shows the newest first', async () => {
    const owner = await makeUser();
    const tag = unique('b');
    await fourMailings(owner, tag);
    const browser = await signedIn(site.app, owner);
    const names = ['Альфа', 'бета', 'Гамма', 'дельта'].map((name) => `${name} ${tag}`);
    const newestFirst = [names[1], names[3], names[0], names[2]];
    for (const query of ['sort=bogus&dir=up', 'sort=name&sort=state', 'sort[x]=1&dir[]=asc', 'sort=created&dir=%00']) {
      expect(shownOrder(await listed(browser, query), names), query).to.deep.equal(newestFirst);
    }
  });

  it('when the list has more than a page, then the pager and the headers keep the search and the sort', async () => {
    const owner = await makeUser();
    const tag = unique('p');
    for (let i = 0; i < 26; i += 1) await makeMailing(owner, { name: `Пачка ${tag} ${String(i).padStart(2, '0')}` });
    const browser = await signedIn(site.app, owner);
    const first = await listed(browser, `q=${encodeURIComponent('ПАЧКА')}&sort=name&dir=asc`);
    const q = encodeURIComponent('ПАЧКА');
    expect(linksOn(first)).to.include(`/mailings?q=${q}&sort=name&dir=asc&page=2`);
    expect(linksOn(first)).to.include(`/mailings?q=${q}&sort=name&dir=desc`);
    expect(first).to.contain(`Пачка ${tag} 00`);
    expect(first).not.to.contain(`Пачка ${tag} 25`);
    const second = await listed(browser, `q=${q}&sort=name&dir=asc&page=2`);
    expect(second).to.contain(`Пачка ${tag} 25`);
    expect(second).not.to.contain(`Пачка ${tag} 00`);
    expect(linksOn(second)).to.include(`/mailings?q=${q}&sort=name&dir=asc&page=1`);
  });

  it('when a manager searches everyone’s mailings, then the owner filter and the search narrow them together', async () => {
    const manager = await makeUser({ role: 'manager' });
    const first = await makeUser();
    const second = await makeUser();
    const tag = unique('m');
    await makeMailing(first, { name: `Осень ${tag}` });
    await makeMailing(second, { name: `ОСЕНЬ ${tag}` });
    await makeMailing(second, { name: `Зима ${tag}` });
    const browser = await signedIn(site.app, manager);
    const all = await listed(browser, `q=${encodeURIComponent(`осень ${tag}`)}`);
    expect(all).to.contain(`Осень ${tag}`).and.to.contain(`ОСЕНЬ ${tag}`);
    expect(all).not.to.contain(`Зима ${tag}`);
    const one = await listed(browser, `q=${encodeURIComponent(`осень ${tag}`)}&owner=${second.id}&sort=name&dir=asc`);
    expect(one).to.contain(`ОСЕНЬ ${tag}`);
    expect(one).not.to.contain(`Осень ${tag}`);
  });
});
