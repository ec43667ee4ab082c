import { expect } from 'chai';
import { DateTime } from 'luxon';
import { Mailing, MailingRun, SendingDomain, type User } from '../../../src/db/models/index.js';
import { addDomain } from '../../../src/domains/domains.service.js';
import { useDnsResolver } from '../../../src/domains/dns-resolver.js';
import { identityOn, verifiedDomain } from '../../support/domains.js';
import { makeClient, makeMailing, makeMessage, makeUser, unique } from '../../support/factories.js';
import { testConfig } from '../../support/hooks.js';
import { signedIn } from '../../support/web.js';
import { API, backOffice, body } from '../admin/back-office.js';

function localInput(date: Date): string {
  return DateTime.fromJSDate(date, { zone: 'UTC' }).toFormat("yyyy-MM-dd'T'HH:mm");
}

/** The mailing form as a customer fills it in for their own message and client. */
async function formFor(owner: User, senderIdentityId: string): Promise<Record<string, string>> {
  const start = new Date(Date.now() + 2 * 3600_000);
  return {
    name: unique('Signed news '),
    messageId: String((await makeMessage(owner)).id),
    clientIds: String((await makeClient(owner)).id),
    startAt: localInput(start),
    endAt: localInput(new Date(start.getTime() + 7 * 24 * 3600_000)),
    periodicity: 'weekly',
    timeZone: 'UTC',
    senderIdentityId,
  };
}

/** A customer's identity on a domain of theirs that was added but never verified. */
async function unverifiedIdentity(owner: User) {
  const domain = await addDomain(owner, { name: `${unique('u')}.example.test`, ed25519: false }, testConfig().senders);
  return identityOn(owner, domain);
}

/** Another customer's identity on their own verified domain. */
async function strangersIdentity() {
  const stranger = await makeUser();
  return identityOn(stranger, await verifiedDomain(stranger));
}

describe("a mailing's sender identity", function () {
  this.timeout(60_000);
  const office = backOffice();
  afterEach(() => useDnsResolver(null));

  it('when the form opens, then it offers the default sender and the identities on verified domains only', async () => {
    const owner = await makeUser();
    const verified = await identityOn(owner, await verifiedDomain(owner));
    const unverified = await unverifiedIdentity(owner);
    const strangers = await strangersIdentity();
    const browser = await signedIn(office.app, owner);
    const form = await browser.agent.get('/mailings/new').expect(200);
    const select = form.text.slice(
      form.text.indexOf('name="senderIdentityId"'),
      form.text.indexOf('</select>', form.text.indexOf('name="senderIdentityId"')),
    );
    expect(select).to.contain(`<option value="" selected="selected">The service's address (MAIL_FROM)</option>`);
    expect(select).to.contain(`value="${verified.id}"`);
    expect(select).to.contain(`Ann Sender &lt;${verified.fromAddress}&gt;`);
    expect(select).not.to.contain(`value="${unverified.id}"`);
    expect(select).not.to.contain(`value="${strangers.id}"`);
  });

  it("when someone else's identity or one on an unverified domain is chosen, then it is a field error; a verified one is saved and shown", async () => {
    const owner = await makeUser();
    const browser = await signedIn(office.app, owner);
    const strangers = await strangersIdentity();
    const theirs = await browser.post('/mailings', await formFor(owner, String(strangers.id))).expect(422);
    expect(theirs.text).to.contain('Choose one of your sender identities');
    const unverified = await unverifiedIdentity(owner);
    const notYet = await browser.post('/mailings', await formFor(owner, String(unverified.id))).expect(422);
    expect(notYet.text).to.contain("This identity's domain is not verified yet");
    await browser.post('/mailings', await formFor(owner, 'abc')).expect(422);
    expect(await Mailing.count({ where: { ownerId: owner.id } })).to.equal(0);

    const domain = await verifiedDomain(owner);
    const identity = await identityOn(owner, domain);
    const saved = await browser.post('/mailings', await formFor(owner, String(identity.id))).expect(303);
    const mailing = await Mailing.findOne({ where: { ownerId: owner.id }, rejectOnEmpty: true });
    expect(mailing.senderIdentityId).to.equal(identity.id);
    const page = await browser.agent.get(saved.headers.location as string).expect(200);
    expect(page.text).to.match(new RegExp(`id="sends-as">Ann Sender &lt;${identity.fromAddress}&gt;`));
    const edit = await browser.agent.get(`/mailings/${mailing.id}/edit`).expect(200);
    expect(edit.text).to.contain(`<option value="${identity.id}" selected="selected">`);
  });

  it('when the domain stops being verified, then the mailing keeps its identity, says why on its page and refuses to start', async () => {
    const owner = await makeUser();
    const domain = await verifiedDomain(owner);
    const identity = await identityOn(owner, domain);
    const mailing = await makeMailing(owner, { clients: [await makeClient(owner)] });
    await mailing.update({ senderIdentityId: identity.id });
    await SendingDomain.update({ verifiedAt: null }, { where: { id: domain.id } }); // the instance is stale: checkDomain saved another
    const browser = await signedIn(office.app, owner);
    const page = await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(page.text).to.contain(`The domain ${domain.name} is not verified: this mailing does not start until it is.`);
    const refused = await browser
      .post(`/mailings/${mailing.id}/send`, { confirm: '1' })
      .set('Referer', `http://mailer.test/mailings/${mailing.id}`)
      .expect(303);
    const back = await browser.agent.get(refused.headers.location as string).expect(200);
    expect(back.text).to.contain(`The sending domain ${domain.name} is not verified`);
    expect(await MailingRun.count({ where: { mailingId: mailing.id } })).to.equal(0);
    // Kept while unverified (the edit form offers it, marked), but not chosen anew for another mailing.
    const edit = await browser.agent.get(`/mailings/${mailing.id}/edit`).expect(200);
    const option = edit.text.slice(edit.text.indexOf(`<option value="${identity.id}"`)).split('</option>')[0];
    expect(option).to.equal(
      `<option value="${identity.id}" selected="selected">Ann Sender &lt;${identity.fromAddress}&gt; (Not verified)`,
    );
  });

  it("when the back office sets a mailing's identity, then the site's rule applies: the owner's verified one only", async () => {
    const { agent } = await office.staff('admin');
    const owner = await makeUser();
    const mailing = await makeMailing(owner);
    const strangers = await strangersIdentity();
    const edit = (id: string) =>
      agent.post(`${API}/mailings/records/${mailing.id}/edit`).field('senderIdentityId', id).expect(200);
    const refused = body(await edit(String(strangers.id)));
    expect(refused.record?.errors.senderIdentityId?.message).to.equal('Choose one of your sender identities');
    const unverified = await unverifiedIdentity(owner);
    expect(body(await edit(String(unverified.id))).record?.errors.senderIdentityId?.message).to.match(/not verified/);
    expect((await mailing.reload()).senderIdentityId).to.equal(null);
    const identity = await identityOn(owner, await verifiedDomain(owner));
    expect(body(await edit(String(identity.id))).notice?.type).to.equal('success');
    expect((await mailing.reload()).senderIdentityId).to.equal(identity.id);
    const shown = body(await agent.get(`${API}/mailings/records/${mailing.id}/show`).expect(200));
    expect(shown.record?.populated?.senderIdentityId?.params.fromAddress).to.equal(identity.fromAddress);
    expect(body(await edit('')).notice?.type).to.equal('success');
    expect((await mailing.reload()).senderIdentityId).to.equal(null);
  });
});
