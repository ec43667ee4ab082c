import { expect } from 'chai';
import { Delivery, Suppression, type User } from '../../../src/db/models/index.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { suppressAddress } from '../../../src/delivery/suppressions.js';
import { unsubscribeClient } from '../../../src/unsubscribe/unsubscribe.service.js';
import { makeClient, makeMailing, makeUser, unique } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { signedIn, testSite, type Browser, type TestSite } from '../../support/web.js';

/** Posts a CSV file to the list's upload, as the page's form does. */
function uploadCsv(browser: Browser, csv: string) {
  return browser.agent
    .post('/suppressions/import')
    .field('_csrf', browser.csrf)
    .attach('file', Buffer.from(csv), 'suppressions.csv');
}

async function complaintOf(owner: User, address: string): Promise<Suppression> {
  await suppressAddress(testDatabase(), { ownerId: owner.id, address, reason: 'complaint', source: 'listener' });
  return Suppression.findOne({ where: { ownerId: owner.id, address }, rejectOnEmpty: true });
}

describe('the suppression list over HTTP', function () {
  this.timeout(60_000);
  let site: TestSite;
  before(() => {
    site = testSite();
  });

  it('when a customer adds an address by hand, then it is listed, its client is marked and a bad or repeated one is a field error', async () => {
    const owner = await makeUser();
    const client = await makeClient(owner, { email: `${unique('ann')}@example.test` });
    const browser = await signedIn(site.app, owner);
    const bad = await browser.post('/suppressions', { email: 'not an address' }).expect(422);
    expect(bad.text).to.contain('Enter a valid e-mail address.');
    expect(bad.text).to.contain('value="not an address"');
    await browser.post('/suppressions', { email: client.email.toUpperCase() }).expect(303);
    const again = await browser.post('/suppressions', { email: client.email }).expect(422);
    expect(again.text).to.contain('This address is already on the suppression list.');

    const list = await browser.agent.get('/suppressions').expect(200);
    expect(list.text).to.contain(client.email);
    expect(list.text).to.contain('Added by hand');
    const clients = await browser.agent.get('/clients').expect(200);
    const row = clients.text.slice(clients.text.indexOf(client.email));
    expect(row.slice(0, row.indexOf('</tr>'))).to.contain('Suppressed');
    await owner.update({ language: 'ru' });
    const ru = await browser.agent.get('/suppressions').expect(200);
    expect(ru.text).to.contain('Стоп-лист');
    expect(ru.text).to.contain('Добавлен вручную');
  });

  it("when another owner's entry is removed, then it is a 404 and the entry stays; one's own is removed", async () => {
    const [owner, stranger] = [await makeUser(), await makeUser()];
    const theirs = await (
      await signedIn(site.app, owner)
    )
      .post('/suppressions', { email: `${unique('x')}@example.test` })
      .expect(303)
      .then(() => Suppression.findOne({ where: { ownerId: owner.id }, rejectOnEmpty: true }));
    const other = await signedIn(site.app, stranger);
    await other.post(`/suppressions/${theirs.id}/delete`, { confirm: '1' }).expect(404);
    await other.post(`/suppressions/${theirs.id}/delete`).expect(404);
    expect(await Suppression.findByPk(theirs.id)).not.to.equal(null);
    const page = await other.agent.get('/suppressions').expect(200);
    expect(page.text).not.to.contain(theirs.address);

    const mine = await signedIn(site.app, owner);
    const asked = await mine.post(`/suppressions/${theirs.id}/delete`).expect(200);
    expect(asked.text).to.contain(`Remove ${theirs.address} from the suppression list?`);
    await mine.post(`/suppressions/${theirs.id}/delete`, { confirm: '1' }).expect(303);
    expect(await Suppression.findByPk(theirs.id)).to.equal(null);
  });

  it('when a CSV file has bad rows, then nothing is added and each bad row is shown with its problem', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    const good = `${unique('good')}@example.test`;
    const res = await uploadCsv(browser, `email;name\n${good};Good\nnot-an-address;Bad\n;Empty\nalso@bad@x;Bad\n`);
    expect(res.status).to.equal(422);
    expect(res.text).to.contain('3 rows are wrong: nothing was added.');
    const errors = res.text.slice(res.text.indexOf('id="upload-errors"'));
    for (const [line, value] of [
      ['3', 'not-an-address'],
      ['5', 'also@bad@x'],
    ])
      expect(errors).to.match(new RegExp(`<td>${line}</td><td class="text-break">${value}</td>`));
    expect(await Suppression.count({ where: { ownerId: owner.id } })).to.equal(0);
    const notCsv = await uploadCsv(browser, 'name\nAnn\n').expect(422);
    expect(notCsv.text).to.contain('one of them must be email');
    const noFile = await browser.agent.post('/suppressions/import').field('_csrf', browser.csrf).expect(422);
    expect(noFile.text).to.contain('Choose a CSV file.');
  });

  it('when a good CSV file is uploaded, then every new address is added at once and waiting deliveries to them are not sent', async () => {
    const owner = await makeUser();
    const client = await makeClient(owner);
    const mailing = await makeMailing(owner, { clients: [client, await makeClient(owner)] });
    const run = await startRunNow(testDatabase(), mailing.id);
    const browser = await signedIn(site.app, owner);
    await browser.post('/suppressions', { email: `first-${client.email}` }).expect(303);
    const rows = [client.email.toUpperCase(), `first-${client.email}`, `${unique('new')}@example.test`, client.email];
    const res = await uploadCsv(browser, `Email\n${rows.join('\n')}\n`).expect(303);
    const page = await browser.agent.get(res.headers.location as string).expect(200);
    expect(page.text).to.contain('2 addresses added to the suppression list (2 already there or repeated).');
    const listed = await Suppression.findAll({ where: { ownerId: owner.id }, order: [['address', 'ASC']] });
    expect(listed.map((entry) => [entry.source, entry.reason])).to.deep.equal([
      ['csv', 'manual'],
      ['manual', 'manual'],
      ['csv', 'manual'],
    ]);
    const stopped = await Delivery.findOne({ where: { runId: run.id, email: client.email }, rejectOnEmpty: true });
    expect([stopped.status, stopped.errorClass]).to.deep.equal(['failed', 'suppressed']);
    expect((await run.reload()).failedCount).to.equal(1);
  });

  it('when a customer tries to remove a complaint or an unsubscribe, then it is refused; an admin removes it from the list of everyone', async () => {
    const owner = await makeUser();
    const complaint = await complaintOf(owner, `${unique('angry')}@example.test`);
    const client = await makeClient(owner);
    await unsubscribeClient(client);
    const unsubscribe = await Suppression.findOne({ where: { ownerId: owner.id, address: client.email } });
    expect([unsubscribe?.reason, unsubscribe?.source]).to.deep.equal(['unsubscribed', 'unsubscribe']);
    const browser = await signedIn(site.app, owner);
    const list = await browser.agent.get('/suppressions').expect(200);
    expect(list.text).to.contain('Only an admin can remove this');
    expect(list.text).not.to.contain(`action="/suppressions/${complaint.id}/delete"`);
    for (const entry of [complaint, unsubscribe as Suppression]) {
      const refused = await browser
        .post(`/suppressions/${entry.id}/delete`, { confirm: '1' })
        .set('Referer', 'http://mailer.test/suppressions')
        .expect(303);
      const back = await browser.agent.get(refused.headers.location as string).expect(200);
      expect(back.text).to.contain('Only an admin can remove a complaint or an unsubscribe from the suppression list.');
      expect(await Suppression.findByPk(entry.id)).not.to.equal(null);
    }

    const manager = await signedIn(site.app, await makeUser({ role: 'manager' }));
    const everyone = await manager.agent.get(`/suppressions?owner=${owner.id}`).expect(200);
    expect(everyone.text).to.contain(complaint.address);
    expect(everyone.text).to.contain(owner.email);
    await manager.post(`/suppressions/${complaint.id}/delete`, { confirm: '1' }).expect(403);
    const admin = await signedIn(site.app, await makeUser({ role: 'admin' }));
    await admin.post(`/suppressions/${complaint.id}/delete`, { confirm: '1' }).expect(303);
    expect(await Suppression.findByPk(complaint.id)).to.equal(null);
  });

  it('when the list is longer than a page, then it pages newest first and the search narrows it', async () => {
    const owner = await makeUser();
    const tag = unique('p');
    for (let i = 0; i < 30; i += 1)
      await Suppression.create({
        ownerId: owner.id,
        address: `${tag}-${String(i).padStart(2, '0')}@example.test`,
        reason: 'hard_bounce',
        source: 'smtp',
        createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
      });
    const browser = await signedIn(site.app, owner);
    const first = await browser.agent.get('/suppressions').expect(200);
    expect(first.text).to.contain('30 addresses');
    expect(first.text).to.contain(`${tag}-29@`);
    expect(first.text).not.to.contain(`${tag}-04@`);
    expect(first.text.indexOf(`${tag}-29@`)).to.be.lessThan(first.text.indexOf(`${tag}-28@`));
    const second = await browser.agent.get('/suppressions?page=2').set('HX-Request', 'true').expect(200);
    expect(second.text).to.contain(`${tag}-04@`);
    expect(second.text).not.to.contain('<html');
    const found = await browser.agent.get(`/suppressions?q=${tag.toUpperCase()}-1&reason=hard_bounce`).expect(200);
    expect(found.text).to.contain('10 addresses');
    const none = await browser.agent.get(`/suppressions?q=${tag}&reason=complaint`).expect(200);
    expect(none.text).to.contain('No address matches these filters.');
    await browser.agent.get('/suppressions?q=%00&reason=%00&owner=1e99&page=-1').expect(200);
  });
});
