// "Duplicate" opens a new form filled from one of the owner's mailings or messages; nothing is saved (so
// nothing can be sent) until the owner saves it.
import { expect } from 'chai';
import { Mailing, Message } from '../../../src/db/models/index.js';
import { makeClient, makeMailing, makeMessage, makeUser } from '../../support/factories.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

const DAY = 24 * 3600_000;

/** The value of a form field on a page (input value, or the text of a textarea). */
function fieldValue(html: string, name: string): string | undefined {
  const input = new RegExp(`name="${name}"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="${name}"`).exec(html);
  const textarea = new RegExp(`<textarea[^>]*name="${name}"[^>]*>([^<]*)</textarea>`).exec(html);
  return input?.[1] ?? input?.[2] ?? textarea?.[1];
}

describe('duplicating a mailing or a message', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it('when a mailing is duplicated, then the new form holds its message, clients and schedule, and nothing is saved until the owner saves', async () => {
    const owner = await makeUser();
    const [ann, bob] = [await makeClient(owner), await makeClient(owner)];
    await makeClient(owner);
    const mailing = await makeMailing(owner, { clients: [ann, bob], periodicity: 'weekly' });
    const browser = await signedIn(site.app, owner);
    const page = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(page.text).to.contain(`href="/mailings/new?from=${mailing.id}"`);

    const before = await Mailing.count({ where: { ownerId: owner.id } });
    const form = await browser.agent.get(`/mailings/new?from=${mailing.id}`).expect(200);
    expect(fieldValue(form.text, 'name')).to.equal(`${mailing.name} (copy)`);
    expect(form.text).to.match(new RegExp(`<option value="${mailing.messageId}" selected`));
    for (const client of [ann, bob]) expect(form.text).to.match(new RegExp(`value="${client.id}"[^>]*checked`));
    expect(form.text).to.match(/<option value="weekly" selected/);
    expect(await Mailing.count({ where: { ownerId: owner.id } })).to.equal(before);

    await browser
      .post('/mailings', {
        name: `${mailing.name} (copy)`,
        messageId: String(mailing.messageId),
        clientIds: [String(ann.id), String(bob.id)],
        startAt: fieldValue(form.text, 'startAt') ?? '',
        endAt: fieldValue(form.text, 'endAt') ?? '',
        periodicity: 'weekly',
        timeZone: 'UTC',
      })
      .expect(303);
    const copy = await Mailing.findOne({ where: { ownerId: owner.id, name: `${mailing.name} (copy)` } });
    expect(copy).to.include({ messageId: mailing.messageId, periodicity: 'weekly' });
    expect((await copy!.getClients()).map((client) => client.id).sort()).to.deep.equal([ann.id, bob.id].sort());
  });

  it('when the original has ended, then the copy gets a window from now; in Russian it is named a copy', async () => {
    const owner = await (await makeUser()).update({ language: 'ru' });
    const ended = await makeMailing(owner, {
      clients: [await makeClient(owner)],
      startAt: new Date(Date.now() - 10 * DAY),
      endAt: new Date(Date.now() - DAY),
    });
    const browser = await signedIn(site.app, owner);
    const form = await browser.agent.get(`/mailings/new?from=${ended.id}`).expect(200);
    expect(fieldValue(form.text, 'name')).to.equal(`${ended.name} (копия)`);
    const endAt = new Date(`${fieldValue(form.text, 'endAt')}:00Z`);
    expect(endAt.getTime()).to.be.greaterThan(Date.now());
  });

  it("when someone else's mailing or message is named, then the form is a 404; a bad id is a plain new form", async () => {
    const stranger = await makeUser();
    const theirs = await makeMailing(stranger, { clients: [await makeClient(stranger)] });
    const browser = await signedIn(site.app, await makeUser());
    await browser.agent.get(`/mailings/new?from=${theirs.id}`).expect(404);
    await browser.agent.get(`/messages/new?from=${theirs.messageId}`).expect(404);
    const plain = await browser.agent.get('/mailings/new?from=x').expect(200);
    expect(fieldValue(plain.text, 'name') ?? '').to.equal('');
  });

  it('when a message is duplicated, then the new form holds its texts under a copy subject, saved only when sent', async () => {
    const owner = await makeUser();
    const message = await makeMessage(owner, {
      subject: 'Spring',
      bodyText: 'Hello {{full_name}}',
      bodyHtml: '<p>Hi</p>',
    });
    const browser = await signedIn(site.app, owner);
    const page = await browser.agent.get(`/messages/${message.id}`).expect(200);
    expect(page.text).to.contain(`href="/messages/new?from=${message.id}"`);
    const form = await browser.agent.get(`/messages/new?from=${message.id}`).expect(200);
    expect(fieldValue(form.text, 'subject')).to.equal('Spring (copy)');
    expect(fieldValue(form.text, 'bodyText')).to.equal('Hello {{full_name}}');
    expect(fieldValue(form.text, 'bodyHtml')).to.equal('&lt;p&gt;Hi&lt;/p&gt;');
    expect(await Message.count({ where: { ownerId: owner.id } })).to.equal(1);
  });
});
