import { expect } from 'chai';
import { deleteOwnAccount } from '../../../src/accounts/account-deletion.js';
import { importClients, keptClientCount } from '../../../src/clients/clients.service.js';
import { Client, type User } from '../../../src/db/models/index.js';
import { FACTORY_PASSWORD, makeClient, makeUser } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { signedIn, testSite, type Browser, type TestSite } from '../../support/web.js';

// The clients list's total comes from client_counts (migration 0033): every writer must keep it equal to the book.
describe('clients list total (kept counts)', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  /** The list's total as the page shows it, checked against a real count of the book (the counter must not drift). */
  async function shownTotal(browser: Browser, owner: User): Promise<number> {
    const res = await browser.agent.get('/clients').expect(200);
    const counted = await Client.count({ where: { ownerId: owner.id } });
    expect(await keptClientCount(owner.id), 'client_counts against COUNT(*)').to.equal(counted);
    const shown = /(\d[\d,]*) clients?\b/.exec(res.text);
    return shown ? Number(shown[1]?.replace(/,/g, '')) : 0;
  }

  it('when clients are added by the form, imported, inserted by SQL and deleted, then the total stays exact', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    await browser.post('/clients', { email: 'ada@example.test', fullName: 'Ada' }).expect(303);
    expect(await shownTotal(browser, owner)).to.equal(1);
    const csv = ['email,full_name', ...Array.from({ length: 30 }, (_, i) => `c${i}@example.test,C ${i}`)].join('\n');
    const imported = await importClients(testDatabase(), owner, csv);
    expect(imported.ok).to.equal(true);
    expect(await shownTotal(browser, owner)).to.equal(31);
    await testDatabase().query(
      `INSERT INTO clients (owner_id, email, full_name, comment, search_text, created_at, updated_at)
       VALUES (:ownerId, 'raw1@example.test', 'Raw', '', 'raw', :now, :now), (:ownerId, 'raw2@example.test', 'Raw', '', 'raw', :now, :now)`,
      { replacements: { ownerId: owner.id, now: new Date() } },
    );
    expect(await shownTotal(browser, owner)).to.equal(33);
    const ada = await Client.findOne({ where: { ownerId: owner.id, email: 'ada@example.test' } });
    await browser.post(`/clients/${ada?.id}/delete`, { confirm: '1' }).expect(303);
    await Client.update({ fullName: 'Renamed' }, { where: { ownerId: owner.id } });
    await testDatabase().query("DELETE FROM clients WHERE owner_id = :ownerId AND email LIKE 'raw%'", {
      replacements: { ownerId: owner.id },
    });
    expect(await shownTotal(browser, owner)).to.equal(30);
    const page2 = await browser.agent.get('/clients?page=2').expect(200);
    expect(page2.text).to.contain('c9@example.test');
  });

  it('when a client moves to another owner, or an account is deleted, then each owner keeps its own exact total', async () => {
    const [stays, leaves] = [await makeUser(), await makeUser()];
    for (let i = 0; i < 3; i += 1) await makeClient(stays);
    for (let i = 0; i < 4; i += 1) await makeClient(leaves);
    const moved = await makeClient(leaves);
    await moved.update({ ownerId: stays.id });
    expect(await keptClientCount(stays.id)).to.equal(4);
    expect(await keptClientCount(leaves.id)).to.equal(4);
    await deleteOwnAccount(testDatabase(), leaves, FACTORY_PASSWORD);
    expect(await keptClientCount(leaves.id)).to.equal(0);
    const [orphans] = await testDatabase().query('SELECT COUNT(*) AS n FROM client_counts WHERE owner_id = :id', {
      replacements: { id: leaves.id },
    });
    expect(Number((orphans as { n: number | string }[])[0]?.n)).to.equal(0);
    const browser = await signedIn(site.app, stays);
    expect(await shownTotal(browser, stays)).to.equal(4);
  });
});
