import { expect } from 'chai';
import { SenderIdentity, SendingDomain } from '../../../src/db/models/index.js';
import { addDomain } from '../../../src/domains/domains.service.js';
import { useDnsResolver } from '../../../src/domains/dns-resolver.js';
import { identityProblem } from '../../../src/domains/identities.service.js';
import { publishedZone } from '../../support/domains.js';
import { makeUser, unique } from '../../support/factories.js';
import { testConfig } from '../../support/hooks.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

describe('sending domains and identities in the site', function () {
  this.timeout(30_000);
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });
  afterEach(() => useDnsResolver(null));

  it('when a customer adds a domain, publishes its records and checks it, then its page shows each record ok and it is verified', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    const name = `${unique('w')}.example.test`;
    const added = await browser.post('/domains', { name: name.toUpperCase() }).expect(303);
    const domain = await SendingDomain.findOne({ where: { name }, rejectOnEmpty: true });
    expect(domain.ownerId).to.equal(owner.id);
    expect(added.headers.location).to.equal(`/domains/${domain.id}`);
    const page = await browser.agent.get(`/domains/${domain.id}`).expect(200);
    expect(page.text).to.contain(`${domain.dkimSelector}._domainkey.${name}`);
    expect(page.text).to.contain('v=DKIM1; k=rsa; p=');
    expect(page.text).not.to.contain('PRIVATE');
    const stored = await SendingDomain.scope('withKeys').findByPk(domain.id, { rejectOnEmpty: true });
    expect(page.text).not.to.contain(stored.dkimPrivateKeyEncrypted.split('.')[3]?.slice(0, 40));
    useDnsResolver(publishedZone([domain]));
    await browser.post(`/domains/${domain.id}/check`).expect(303);
    const checked = await browser.agent.get(`/domains/${domain.id}`).expect(200);
    expect(checked.text.match(/>OK</g)).to.have.length(3);
    expect((await domain.reload()).verifiedAt).to.be.instanceOf(Date);
  });

  it('when the check finds nothing published, then it says so per record (in Russian for a Russian reader) and the domain stays unverified', async () => {
    const owner = await makeUser();
    await owner.update({ language: 'ru' });
    const domain = await addDomain(
      owner,
      { name: `${unique('r')}.example.test`, ed25519: false },
      testConfig().senders,
    );
    const browser = await signedIn(site.app, owner);
    useDnsResolver(publishedZone([]));
    await browser.post(`/domains/${domain.id}/check`).expect(303);
    const page = await browser.agent.get(`/domains/${domain.id}`).set('Accept-Language', 'ru').expect(200);
    expect(page.text.match(/Нет записи/g)).to.have.length(3);
    expect(page.text).to.contain('Не подтверждён');
    expect((await domain.reload()).verifiedAt).to.equal(null);
  });

  it('when a bad name or a taken one is typed, then the form shows the field error, not a 500', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    const bad = await browser.post('/domains', { name: 'not a domain' }).expect(422);
    expect(bad.text).to.contain('Enter a domain name such as example.com');
    const name = `${unique('t')}.example.test`;
    await browser.post('/domains', { name }).expect(303);
    const taken = await browser.post('/domains', { name }).expect(422);
    expect(taken.text).to.contain('This domain has already been added');
  });

  it("when someone else's domain or identity id is used, then it is a 404 or a field error; a domain for everyone is usable", async () => {
    const [owner, other] = [await makeUser(), await makeUser()];
    const theirs = await addDomain(
      other,
      { name: `${unique('o')}.example.test`, ed25519: false },
      testConfig().senders,
    );
    const shared = await addDomain(
      'cli',
      { name: `${unique('s')}.example.test`, ed25519: false },
      testConfig().senders,
    );
    const browser = await signedIn(site.app, owner);
    await browser.agent.get(`/domains/${theirs.id}`).expect(404);
    await browser.post(`/domains/${theirs.id}/check`).expect(404);
    await browser.post(`/domains/${shared.id}/check`).expect(404);
    await browser.agent.get(`/domains/${shared.id}`).expect(200);
    const refused = await browser
      .post('/identities', { domainId: String(theirs.id), displayName: 'X', fromAddress: `x@${theirs.name}` })
      .expect(422);
    expect(refused.text).to.contain('Choose one of your sending domains');
    const offDomain = await browser
      .post('/identities', { domainId: String(shared.id), displayName: 'X', fromAddress: 'x@elsewhere.test' })
      .expect(422);
    expect(offDomain.text).to.contain('The From address must be on the chosen domain');
    await browser
      .post('/identities', { domainId: String(shared.id), displayName: 'Shop', fromAddress: `shop@${shared.name}` })
      .expect(303);
    const mine = await SenderIdentity.findOne({ where: { ownerId: owner.id }, rejectOnEmpty: true });
    // The shared domain is not verified yet: a mailing may not take the identity, unless it has it already.
    expect(await identityProblem(owner, mine.id)).to.equal('domains.errors.identityUnverified');
    expect(await identityProblem(owner, mine.id, mine.id)).to.equal(null);
    expect(await identityProblem(other, mine.id)).to.equal('domains.errors.identityUnknown');
    await (await signedIn(site.app, other)).post(`/identities/${mine.id}/delete`).expect(404);
  });
});
