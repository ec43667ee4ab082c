import { expect } from 'chai';
import { makeUser, unique } from '../../support/factories.js';
import { linksOn, setCreatedAt, shownOrder } from '../../support/lists.js';
import { signedIn, testSite, type Browser, type TestSite } from '../../support/web.js';

async function listed(browser: Browser, query: string): Promise<string> {
  return (await browser.agent.get(`/users?${query}`).expect(200)).text;
}

describe('the managers’ users list: sort', () => {
  let site: TestSite;
  before(() => {
    site = testSite();
  });

  it('when a manager sorts by each column, then both directions order the accounts; a bad sort is by e-mail', async () => {
    const tag = unique('u');
    // Narrowed to this test's accounts by the tag in their names.
    const a = await makeUser({ email: `a-${tag}@example.test`, fullName: `Яков ${tag}`, role: 'admin' });
    const b = await makeUser({ email: `b-${tag}@example.test`, fullName: `Борис ${tag}`, role: 'user' });
    const c = await makeUser({ email: `c-${tag}@example.test`, fullName: `Вера ${tag}`, role: 'manager' });
    const base = Date.parse('2026-01-01T00:00:00Z');
    for (const [i, user] of [b, c, a].entries()) await setCreatedAt('users', user.id, new Date(base + i * 3600_000));
    const manager = await makeUser({ role: 'manager' });
    const browser = await signedIn(site.app, manager);
    const emails = [a, b, c].map((user) => user.email);
    const [ea, eb, ec] = emails as [string, string, string];
    const expected: Record<string, string[]> = {
      email: [ea, eb, ec],
      name: [eb, ec, ea],
      role: [eb, ec, ea],
      created: [eb, ec, ea],
    };
    const q = encodeURIComponent(tag);
    for (const [sort, ascending] of Object.entries(expected)) {
      const up = await listed(browser, `q=${q}&sort=${sort}&dir=asc`);
      expect(shownOrder(up, emails), `${sort} asc`).to.deep.equal(ascending);
      const down = await listed(browser, `q=${q}&sort=${sort}&dir=desc`);
      expect(shownOrder(down, emails), `${sort} desc`).to.deep.equal([...ascending].reverse());
      expect(linksOn(down)).to.include(`/users?q=${q}&sort=${sort}&dir=asc`);
    }
    for (const query of ['sort=password&dir=asc', 'sort=role&dir=backwards', 'sort=name&sort=email']) {
      expect(shownOrder(await listed(browser, `q=${q}&${query}`), emails), query).to.deep.equal([ea, eb, ec]);
    }
  });

  it('when the users list has more than a page, then the pager keeps the search, the role and the sort', async () => {
    const tag = unique('pg');
    for (let i = 0; i < 26; i += 1) {
      await makeUser({ email: `${String(i).padStart(2, '0')}-${tag}@example.test`, fullName: `Пётр ${tag}` });
    }
    const manager = await makeUser({ role: 'manager' });
    const browser = await signedIn(site.app, manager);
    // As a form (and URLSearchParams) writes it: the space as +.
    const q = new URLSearchParams({ q: `ПЁТР ${tag}` }).toString().slice(2);
    const first = await listed(browser, `q=${q}&role=user&sort=email&dir=desc`);
    expect(first).to.contain(`25-${tag}@example.test`);
    expect(first).not.to.contain(`00-${tag}@example.test`);
    expect(linksOn(first)).to.include(`/users?q=${q}&role=user&sort=email&dir=desc&page=2`);
    const second = await listed(browser, `q=${q}&role=user&sort=email&dir=desc&page=2`);
    expect(second).to.contain(`00-${tag}@example.test`);
  });
});
