import { createPrivateKey } from 'node:crypto';
import { expect } from 'chai';
import { dkimVerify, type DKIMResult } from 'mailauth';
import { generateDkimKey } from '../../../src/delivery/dkim-keys.js';
import { ed25519SignatureField, relaxedBody, relaxedHeader } from '../../../src/delivery/dkim-ed25519.js';
import { SIGNED_HEADER_FIELDS, signMessage } from '../../../src/delivery/dkim-sign.js';
import { dkimRecordValue } from '../../../src/domains/dns-records.js';
import { zoneResolver } from '../../../src/domains/dns-resolver.js';
import { algorithmOf, asStrings } from '../../support/domains.js';

const rsa = generateDkimKey('rsa');
const ed25519 = generateDkimKey('ed25519');
const rsaKey = createPrivateKey(rsa.privateKeyPem);
const ed25519Key = createPrivateKey(ed25519.privateKeyPem);
const resolver = zoneResolver({
  'rsa._domainkey.example.com': [asStrings(dkimRecordValue(rsa.publicKey))],
  'ed._domainkey.example.com': [asStrings(dkimRecordValue(ed25519.publicKey, 'ed25519'))],
});
const signing = {
  domainName: 'example.com',
  keySelector: 'ed',
  privateKey: ed25519Key,
  fieldNames: SIGNED_HEADER_FIELDS,
};

/** A message as written by hand: folded and padded fields, an 8-bit Subject, trailing blanks and empty lines. */
function message(extraHeader = '', body = 'Hello  there \t\r\n\r\n\tbye\r\n\r\n\r\n'): Buffer {
  const header = [
    'From: Ann  Sender <news@example.com>',
    'To: client@example.org',
    `Subject: Caf\u00e9 news\r\n  folded\t here `,
    'Date: Thu, 03 Dec 2026 10:00:00 +0000',
    'Message-ID: <run1.d1.a1@example.com>',
    'List-Unsubscribe: <https://mail.example.com/unsubscribe/x>',
    'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'X-Unsigned: anything',
  ].join('\r\n');
  return Buffer.from(`${header}\r\n${extraHeader ? `${extraHeader}\r\n` : ''}\r\n${body}`);
}

/** The message with the field in front, as a signer's output is. */
const withField = (field: string, raw: Buffer) => Buffer.concat([Buffer.from(`${field}\r\n`, 'latin1'), raw]);

/** A tag's value in a DKIM-Signature field, folding and whitespace removed. */
const tagOf = (field: string, tag: string) => new RegExp(`\\b${tag}=([^;]*)`).exec(field)?.[1]?.replace(/\s+/g, '');

describe('the ed25519-sha256 DKIM signer (RFC 8463)', () => {
  it('when canonicalizing the example of RFC 6376 §3.4.5, then the relaxed forms are the RFC’s', () => {
    expect(relaxedHeader('A: X')).to.equal('a:X');
    expect(relaxedHeader('B : Y\t\r\n\tZ  ')).to.equal('b:Y Z');
    expect(relaxedBody(' C \r\nD \t E\r\n\r\n\r\n')).to.equal(' C\r\nD E\r\n');
    expect(relaxedBody('')).to.equal('');
    expect(relaxedBody('\r\n\r\n')).to.equal('');
    expect(relaxedBody('no line break')).to.equal('no line break\r\n');
  });

  it('when a message is signed, then mailauth verifies it, under the given selector, with the fields of SIGNED_HEADER_FIELDS it has', async () => {
    const raw = message();
    const field = ed25519SignatureField(raw, signing);
    const verdict = await dkimVerify(withField(field, raw), { resolver });
    expect(verdict.results.map((r) => [algorithmOf(r), r.selector, r.status.result, r.status.comment])).to.deep.equal([
      ['ed25519-sha256', 'ed', 'pass', undefined],
    ]);
    // Reply-To is in the list but not in the message: left out. X-Unsigned is not in the list.
    expect(tagOf(field, 'h')).to.equal(
      'from:to:subject:date:message-id:list-unsubscribe:list-unsubscribe-post:mime-version:content-type',
    );
    expect(tagOf(field, 'c')).to.equal('relaxed/relaxed');
    for (const line of field.split('\r\n')) expect(line.length).to.be.at.most(78);
  });

  it('when signed beside the RSA signature, then the body hashes agree (the two signers canonicalize bodies alike) and both verify', async () => {
    for (const body of [
      '',
      'one line',
      'trailing \t \r\n\r\n',
      'bare\nline feeds\n\n',
      ' lead\r\n\r\nmiddle  gap\r\n',
    ]) {
      const raw = message('', body);
      const signed = await signMessage(raw, {
        domainName: 'example.com',
        keySelector: 'rsa',
        privateKey: rsaKey,
        ed25519: { keySelector: 'ed', privateKey: ed25519Key },
      });
      const verdict = await dkimVerify(signed, { resolver });
      expect(verdict.results.map((r) => [algorithmOf(r), r.status.result])).to.deep.equal([
        ['rsa-sha256', 'pass'],
        ['ed25519-sha256', 'pass'],
      ]);
      const [rsaField, ed25519Field] = signed
        .toString('latin1')
        .replace(/\r\n[ \t]+/g, ' ')
        .split('\r\n')
        .filter((line) => line.startsWith('DKIM-Signature:'));
      expect(tagOf(ed25519Field as string, 'bh'))
        .to.have.length(44)
        .and.equal(tagOf(rsaField as string, 'bh'));
      expect(signed.subarray(signed.length - raw.length).equals(raw)).to.equal(true);
    }
  });

  it('when a field appears twice, then the bottom one is signed: changing it fails, changing the top one does not', async () => {
    const raw = message('Subject: the second subject');
    const field = ed25519SignatureField(raw, signing);
    const text = withField(field, raw).toString('latin1');
    const result = async (altered: string) => {
      const { status } = (await dkimVerify(Buffer.from(altered, 'latin1'), { resolver })).results[0] as DKIMResult;
      return `${status.result}${status.comment ? `: ${String(status.comment)}` : ''}`;
    };
    expect(await result(text)).to.equal('pass');
    expect(text).to.contain('Subject: the second subject').and.contain('folded\t here').and.contain('Hello  there');
    expect(await result(text.replace('Subject: the second subject', 'Subject: the third subject'))).to.equal(
      'fail: bad signature',
    );
    expect(await result(text.replace('folded\t here', 'refolded'))).to.equal('pass');
    expect(await result(text.replace('X-Unsigned: anything', 'X-Unsigned: something else'))).to.equal('pass');
    // mailauth calls a body that does not match its hash "neutral" (RFC 6376 §6.3 lets a verifier say so).
    expect(await result(text.replace('Hello  there', 'Hello world'))).to.equal('neutral: body hash did not verify');
  });

  it('when the key is not an Ed25519 key, then signing refuses rather than write a signature nobody can verify', () => {
    expect(() => ed25519SignatureField(message(), { ...signing, privateKey: rsaKey })).to.throw(/not an Ed25519 key/);
  });
});
