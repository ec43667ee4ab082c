import { expect } from 'chai';
import { Client } from '../../../src/db/models/index.js';
import { makeClient, makeUser } from '../../support/factories.js';
import { signedIn, testSite, type Browser, type TestSite } from '../../support/web.js';

async function found(browser: Browser, words: string): Promise<string> {
  return (await browser.agent.get(`/clients?q=${encodeURIComponent(words)}`).expect(200)).text;
}

describe('clients search in every script', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it('when a client has a Cyrillic name, then any case of a word of it finds the client, and so does a part of the e-mail', async () => {
    const owner = await makeUser();
    await makeClient(owner, { email: 'vera.k@example.test', fullName: 'Вера Кузнецова' });
    await makeClient(owner, { email: 'other@example.test', fullName: 'Ольга Петрова' });
    const browser = await signedIn(site.app, owner);
    for (const words of ['Вера', 'вера', 'ВЕРА', 'Кузнецова', 'кузнецова', 'КуЗнЕц', 'vera.K', 'ра кузн']) {
      const page = await found(browser, words);
      expect(page, words).to.contain('vera.k@example.test').and.to.contain('1 client');
      expect(page, words).not.to.contain('other@example.test');
    }
    expect(await found(browser, 'Веры')).not.to.contain('vera.k@example.test');
  });

  it('when a name or comment is Greek or accented, then the search folds them the same way (final sigma too)', async () => {
    const owner = await makeUser();
    await makeClient(owner, { email: 'sofia@example.test', fullName: 'Σοφία Παπαδοπούλου' });
    await makeClient(owner, { email: 'odysseas@example.test', fullName: 'ΟΔΥΣΣΕΥΣ' });
    await makeClient(owner, { email: 'zoe@example.test', comment: 'Rencontrée à ÉCOLE Ärzte' });
    const browser = await signedIn(site.app, owner);
    expect(await found(browser, 'σοφία'))
      .to.contain('sofia@example.test')
      .and.to.contain('1 client');
    expect(await found(browser, 'ΣΟΦΊΑ')).to.contain('sofia@example.test');
    // Stored "οδυσσευς" ends in ς; a search for its stem written with σ still finds it.
    expect(await found(browser, 'οδυσσευσ')).to.contain('odysseas@example.test');
    expect(await found(browser, 'Οδυσσευς')).to.contain('odysseas@example.test');
    expect(await found(browser, 'école ärz')).to.contain('zoe@example.test');
    // Letters are only lower-cased: an accent still counts.
    expect(await found(browser, 'ecole')).not.to.contain('zoe@example.test');
  });

  it('when a client is edited, then the new name finds it and the old one no longer does', async () => {
    const owner = await makeUser();
    const client = await makeClient(owner, { email: 'anna@example.test', fullName: 'Анна Иванова' });
    const browser = await signedIn(site.app, owner);
    await browser
      .post(`/clients/${client.id}`, { email: 'anna@example.test', fullName: 'Анна Смирнова', comment: 'Ёлка' })
      .expect(303);
    expect(await found(browser, 'смирнова')).to.contain('anna@example.test');
    expect(await found(browser, 'ёлка')).to.contain('anna@example.test');
    expect(await found(browser, 'иванова')).not.to.contain('anna@example.test');
    // A save that leaves the searched fields alone keeps the search text.
    await client.reload();
    await client.update({ unsubscribedAt: new Date() });
    expect(await found(browser, 'СМИРНОВА')).to.contain('anna@example.test');
  });

  it('when clients are imported from a CSV, then they are found in any case', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    const csv = 'email,full_name,comment\nPetr@Example.test,Пётр Соколов,Из Москвы\nmaria@example.test,María Núñez,\n';
    await browser.post('/clients/import', { csv }).expect(303);
    expect(await Client.count({ where: { ownerId: owner.id } })).to.equal(2);
    expect(await found(browser, 'ПЁТР'))
      .to.contain('petr@example.test')
      .and.to.contain('1 client');
    expect(await found(browser, 'из москвы')).to.contain('petr@example.test');
    expect(await found(browser, 'NÚÑEZ'))
      .to.contain('maria@example.test')
      .and.not.to.contain('petr@example.test');
  });
});
