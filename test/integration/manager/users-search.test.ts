import { expect } from 'chai';
import { makeUser, unique } from '../../support/factories.js';
import { signedIn, testSite, type Browser, type TestSite } from '../../support/web.js';

async function found(manager: Browser, words: string, role = ''): Promise<string> {
  return (await manager.agent.get(`/users?q=${encodeURIComponent(words)}${role}`).expect(200)).text;
}

describe("the manager's users search in every script", () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it('when a user has a Cyrillic or Greek name, then any case of it finds the user, and so does a part of the e-mail', async () => {
    const tag = unique('t');
    const vera = await makeUser({ email: `vera.${tag}@example.test`, fullName: `Вера Кузнецова ${tag}` });
    const sofia = await makeUser({ email: `sofia.${tag}@example.test`, fullName: `Σοφία ${tag}` });
    const manager = await signedIn(site.app, await makeUser({ role: 'manager' }));
    for (const words of ['Вера', 'вера', 'ВЕРА', 'Кузнецова', 'кузнецова', `VERA.${tag}`]) {
      const page = await found(manager, words);
      expect(page, words).to.contain(vera.email);
      expect(page, words).not.to.contain(sofia.email);
    }
    expect(await found(manager, `σοφία ${tag}`))
      .to.contain(sofia.email)
      .and.not.to.contain(vera.email);
    expect(await found(manager, `ΣΟΦΊΑ ${tag}`, '&role=user')).to.contain(sofia.email);
    expect(await found(manager, `σοφία ${tag}`, '&role=manager')).not.to.contain(sofia.email);
  });

  it('when the search has LIKE wildcards, then they match themselves only', async () => {
    const tag = unique('w');
    const plain = await makeUser({ email: `ab.${tag}@example.test`, fullName: 'Plain' });
    const underscored = await makeUser({ email: `a_b.${tag}@example.test`, fullName: '100% real' });
    const manager = await signedIn(site.app, await makeUser({ role: 'manager' }));
    expect(await found(manager, `_b.${tag}`))
      .to.contain(underscored.email)
      .and.not.to.contain(plain.email);
    expect(await found(manager, '0% r'))
      .to.contain(underscored.email)
      .and.not.to.contain(plain.email);
  });

  it('when a user changes their name, then the new name finds them and the old one no longer does', async () => {
    const tag = unique('n');
    const user = await makeUser({ email: `renamed.${tag}@example.test`, fullName: `Иван ${tag}` });
    await user.update({ fullName: `Ярослав ${tag}` });
    const manager = await signedIn(site.app, await makeUser({ role: 'manager' }));
    expect(await found(manager, `ЯРОСЛАВ ${tag}`)).to.contain(user.email);
    expect(await found(manager, `иван ${tag}`)).not.to.contain(user.email);
  });
});
