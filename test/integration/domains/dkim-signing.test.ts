import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { dkimVerify } from 'mailauth';
import { dispatchDueRun, startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { MailingRun } from '../../../src/db/models/index.js';
import { addDomain, checkDomain } from '../../../src/domains/domains.service.js';
import { dnsResolver, useDnsResolver } from '../../../src/domains/dns-resolver.js';
import { AppError } from '../../../src/errors.js';
import { deliveryConfig, mailingWithClients, sendNow } from '../../support/delivery.js';
import { algorithmOf, identityOn, verifiedDomain } from '../../support/domains.js';
import { unique } from '../../support/factories.js';
import { testConfig, testDatabase } from '../../support/hooks.js';

/** Every .eml the outbox holds (the outbox writes the bytes an SMTP server would get: the same render and sign). */
async function outboxMessages(dir: string): Promise<Buffer[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
  return Promise.all(files.map((f) => readFile(path.join(dir, f))));
}

/** The h= list of each DKIM-Signature field of a message, in order, in lower case (folding undone). */
function signedFieldLists(text: string): string[][] {
  const header = text.slice(0, text.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  return header
    .split('\r\n')
    .filter((line) => /^DKIM-Signature:/i.test(line))
    .map((field) => (/\bh=([^;]+);/.exec(field)?.[1] ?? '').replace(/\s+/g, '').toLowerCase().split(':'));
}

describe('DKIM-signed mailings from a sender identity', function () {
  this.timeout(30_000);
  afterEach(() => useDnsResolver(null));

  it('when a mailing sends as an identity on a verified domain, then every message verifies with mailauth and carries its From, Reply-To and Message-ID domain', async () => {
    const { owner, mailing } = await mailingWithClients(3);
    const domain = await verifiedDomain(owner);
    const identity = await identityOn(owner, domain, 'replies@example.test');
    await mailing.update({ senderIdentityId: identity.id });
    const config = deliveryConfig(null);
    const result = await sendNow(config, mailing.id);
    expect(result.run.sentCount).to.equal(3);
    const messages = await outboxMessages(config.outboxDir);
    expect(messages).to.have.length(3);
    for (const raw of messages) {
      const text = raw.toString();
      // The outbox writes the envelope sender first (Return-Path), then the signature heads the message proper.
      expect(text).to.match(/^Return-Path: <[^>]+>\r?\nDKIM-Signature: /);
      expect(text).to.contain(`From: Ann Sender <news@${domain.name}>`);
      expect(text).to.contain('Reply-To: replies@example.test');
      expect(text).to.match(new RegExp(`Message-ID: <run\\d+\\.d\\d+\\.a1@${domain.name.replace(/\./g, '\\.')}>`));
      const verdict = await dkimVerify(raw, { resolver: dnsResolver() });
      // A domain without an Ed25519 key: one signature, RSA.
      expect(verdict.results.map((r) => [algorithmOf(r), r.status.result])).to.deep.equal([['rsa-sha256', 'pass']]);
      expect(text.match(/^DKIM-Signature:/gim)).to.have.length(1);
      expect(verdict.results[0]?.signingDomain).to.equal(domain.name);
      const signed =
        /\bh=([^;]+);/
          .exec(text.replace(/\r\n\s+/g, ''))?.[1]
          ?.toLowerCase()
          .split(':') ?? [];
      for (const field of ['from', 'to', 'subject', 'date', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post'])
        expect(signed).to.include(field);
    }
  });

  it('when the domain also has an Ed25519 key, then every message carries an rsa-sha256 and an ed25519-sha256 signature over the same fields, and both verify', async () => {
    const { owner, mailing } = await mailingWithClients(3);
    const domain = await verifiedDomain(owner, { ed25519: true });
    expect(domain.ed25519Selector).to.be.a('string').and.not.equal(domain.dkimSelector);
    // The check looks at both DKIM records (the Ed25519 one is shown, only the RSA one is required).
    const check = await checkDomain(owner, domain.id, testConfig().senders);
    expect(check.records.slice(0, 2).map((r) => [r.kind, r.name, r.state])).to.deep.equal([
      ['dkim', `${domain.dkimSelector}._domainkey.${domain.name}`, 'ok'],
      ['dkim-ed25519', `${domain.ed25519Selector}._domainkey.${domain.name}`, 'ok'],
    ]);
    await mailing.update({ senderIdentityId: (await identityOn(owner, domain, 'replies@example.test')).id });
    const config = deliveryConfig(null);
    expect((await sendNow(config, mailing.id)).run.sentCount).to.equal(3);
    const messages = await outboxMessages(config.outboxDir);
    expect(messages).to.have.length(3);
    for (const raw of messages) {
      const verdict = await dkimVerify(raw, { resolver: dnsResolver() });
      expect(
        verdict.results.map((r) => [algorithmOf(r), r.selector, r.signingDomain, r.status.result, r.status.comment]),
      ).to.deep.equal([
        ['rsa-sha256', domain.dkimSelector, domain.name, 'pass', undefined],
        ['ed25519-sha256', domain.ed25519Selector, domain.name, 'pass', undefined],
      ]);
      const [rsaFields, ed25519Fields] = signedFieldLists(raw.toString());
      expect(ed25519Fields).to.deep.equal(rsaFields);
      for (const field of ['from', 'to', 'subject', 'date', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post'])
        expect(ed25519Fields).to.include(field);
    }
  });

  it('when a header both signatures cover is altered, then both fail', async () => {
    const { owner, mailing } = await mailingWithClients(1);
    const domain = await verifiedDomain(owner, { ed25519: true });
    await mailing.update({ senderIdentityId: (await identityOn(owner, domain)).id });
    const config = deliveryConfig(null);
    await sendNow(config, mailing.id);
    const [raw] = await outboxMessages(config.outboxDir);
    const text = (raw as Buffer).toString();
    const untouched = await dkimVerify(raw as Buffer, { resolver: dnsResolver() });
    expect(untouched.results.map((r) => r.status.result)).to.deep.equal(['pass', 'pass']);
    for (const altered of [
      text.replace(/\r\nSubject: /, '\r\nSubject: Re: '),
      text.replace(/\r\nFrom: [^\r]*/, `\r\nFrom: Mallory <news@${domain.name}>`),
      text.replace(/List-Unsubscribe-Post: [^\r]*/, 'List-Unsubscribe-Post: nothing'),
    ]) {
      expect(altered).not.to.equal(text);
      const verdict = await dkimVerify(Buffer.from(altered), { resolver: dnsResolver() });
      expect(verdict.results.map((r) => [algorithmOf(r), r.status.result])).to.deep.equal([
        ['rsa-sha256', 'fail'],
        ['ed25519-sha256', 'fail'],
      ]);
    }
  });

  it('when a signed header is altered after sending, then the signature no longer verifies', async () => {
    const { owner, mailing } = await mailingWithClients(1);
    const domain = await verifiedDomain(owner);
    await mailing.update({ senderIdentityId: (await identityOn(owner, domain)).id });
    const config = deliveryConfig(null);
    await sendNow(config, mailing.id);
    const [raw] = await outboxMessages(config.outboxDir);
    const altered = Buffer.from(
      (raw as Buffer).toString().replace(/List-Unsubscribe-Post: [^\r]*/, 'List-Unsubscribe-Post: nothing'),
    );
    expect((await dkimVerify(altered, { resolver: dnsResolver() })).results[0]?.status.result).to.equal('fail');
    const otherSubject = Buffer.from((raw as Buffer).toString().replace(/\r\nSubject: /, '\r\nSubject: Re: '));
    expect((await dkimVerify(otherSubject, { resolver: dnsResolver() })).results[0]?.status.result).to.equal('fail');
  });

  it('when the identity is on an unverified domain, then "send now" refuses saying why and the scheduler records the occurrence as not sent', async () => {
    const { owner, mailing } = await mailingWithClients(1, { startAt: new Date(Date.now() - 60_000) });
    const domain = await addDomain(
      owner,
      { name: `${unique('u')}.example.test`, ed25519: false },
      testConfig().senders,
    );
    await mailing.update({
      senderIdentityId: (await identityOn(owner, domain)).id,
      nextRunAt: new Date(Date.now() - 1000),
    });
    let refusal: unknown;
    await startRunNow(testDatabase(), mailing.id).catch((error: unknown) => (refusal = error));
    expect(refusal).to.be.instanceOf(AppError);
    expect((refusal as AppError).message).to.equal(
      `The sending domain ${domain.name} is not verified: publish its DNS records and check it`,
    );
    expect((refusal as AppError).translation?.key).to.equal('mailings.errors.senderUnverified');
    expect(await dispatchDueRun(testDatabase(), mailing.id)).to.equal(null);
    const runs = await MailingRun.findAll({ where: { mailingId: mailing.id } });
    expect(runs.map((r) => [r.state, r.pausedKind, r.totalCount])).to.deep.equal([
      ['cancelled', 'sender_unverified', 0],
    ]);
  });

  it('when a mailing has no identity, then it goes from MAIL_FROM unsigned, as before', async () => {
    const { mailing } = await mailingWithClients(1);
    const config = deliveryConfig(null);
    await sendNow(config, mailing.id);
    const [raw] = await outboxMessages(config.outboxDir);
    expect((raw as Buffer).toString()).not.to.contain('DKIM-Signature');
  });
});
