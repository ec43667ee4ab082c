import { expect } from 'chai';
import { Client, Mailing, MailingClient } from '../../../src/db/models/index.js';
import { MAX_FORM_FIELDS } from '../../../src/web/error-pages.js';
import { makeMessage, makeUser } from '../../support/factories.js';
import { signedIn, testSite } from '../../support/web.js';

const inHours = (hours: number): string => new Date(Date.now() + hours * 3_600_000).toISOString().slice(0, 16);

describe('a mailing to many picked clients', function () {
  this.timeout(60_000);

  it('when 1,200 of 1,500 clients are picked one by one, then the mailing is saved with exactly those', async () => {
    const owner = await makeUser();
    const message = await makeMessage(owner);
    const clients = await Client.bulkCreate(
      Array.from({ length: 1500 }, (_, i) => ({ ownerId: owner.id, email: `many${i}@example.test`, fullName: '' })),
      { returning: true },
    );
    const picked = clients.slice(100, 1300).map((c) => String(c.id));
    const browser = await signedIn(testSite().app, owner);
    const form = await browser.agent.get('/mailings/new').expect(200);
    expect(form.text).to.contain('Tick up to 100,000 clients one by one');
    await browser
      .post('/mailings', {
        name: 'Many',
        messageId: String(message.id),
        clientIds: picked,
        startAt: inHours(1),
        endAt: inHours(48),
        periodicity: 'once',
        timeZone: 'UTC',
      })
      .expect(303);
    const mailing = await Mailing.findOne({ where: { ownerId: owner.id }, rejectOnEmpty: true });
    const chosen = await MailingClient.findAll({ where: { mailingId: mailing.id } });
    expect(chosen.map((row) => String(row.clientId)).sort()).to.deep.equal([...picked].sort());
  });

  it('when a form carries more choices than the limit, then the page says what the limit is and nothing is saved', async () => {
    const owner = await makeUser();
    const browser = await signedIn(testSite().app, owner);
    const ids = Array.from({ length: MAX_FORM_FIELDS + 200 }, (_, i) => String(i + 1));
    const res = await browser.post('/mailings', { name: 'Too many', clientIds: ids }).expect(413);
    expect(res.text).to.contain('at most 100,000 choices').and.to.contain('All clients');
    expect(await Mailing.count({ where: { ownerId: owner.id } })).to.equal(0);
  });
});
