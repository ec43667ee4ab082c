import { createPrivateKey } from 'node:crypto';
import { expect } from 'chai';
import { generateDkimKey } from '../../../src/delivery/dkim-keys.js';
import { checkDkim, checkDmarc, checkSpf } from '../../../src/domains/dns-check.js';
import { dkimRecordValue } from '../../../src/domains/dns-records.js';
import { useDnsResolver, zoneResolver } from '../../../src/domains/dns-resolver.js';
import { asStrings } from '../../support/domains.js';

const pair = generateDkimKey('rsa');
const domain = { name: 'example.com', dkimSelector: 'sel', dkimPublicKey: pair.publicKey };
const key = createPrivateKey(pair.privateKeyPem);
const RELAY = 'include:_spf.relay.example';

describe('checks of published records, against a local zone', () => {
  afterEach(() => useDnsResolver(null));

  it('when every record is published as shown, then each is ok', async () => {
    useDnsResolver(
      zoneResolver({
        'sel._domainkey.example.com': [asStrings(dkimRecordValue(pair.publicKey))],
        'example.com': [['v=spf1 ', 'include:_spf.relay.example ~all'], ['google-site-verification=x']],
        '_spf.relay.example': [['v=spf1 ip4:192.0.2.10 -all']],
        '_dmarc.example.com': [['v=DMARC1; p=none']],
      }),
    );
    expect((await checkDkim(domain, key)).state).to.equal('ok');
    expect(await checkSpf('example.com', RELAY)).to.deep.include({
      state: 'ok',
      found: 'v=spf1 include:_spf.relay.example ~all',
    });
    expect(await checkDmarc('example.com', 'v=DMARC1; p=none')).to.deep.include({
      state: 'ok',
      found: 'v=DMARC1; p=none',
    });
  });

  it('when nothing is published, then each record is missing, with nothing found', async () => {
    useDnsResolver(zoneResolver({}));
    for (const check of [
      await checkDkim(domain, key),
      await checkSpf('example.com', RELAY),
      await checkDmarc('example.com', ''),
    ])
      expect(check).to.deep.include({ state: 'missing', found: null });
  });

  it('when other records are published, then each is wrong and says what was found', async () => {
    const other = generateDkimKey('rsa');
    useDnsResolver(
      zoneResolver({
        'sel._domainkey.example.com': [asStrings(dkimRecordValue(other.publicKey))],
        'example.com': [['v=spf1 mx -all']],
        '_dmarc.example.com': [['hello']],
      }),
    );
    const dkim = await checkDkim(domain, key);
    expect(dkim).to.deep.include({ state: 'wrong', found: dkimRecordValue(other.publicKey), detail: 'bad signature' });
    expect(await checkSpf('example.com', RELAY)).to.deep.include({
      state: 'wrong',
      found: 'v=spf1 mx -all',
      detail: `the record does not name ${RELAY}`,
    });
    expect(await checkDmarc('example.com', '')).to.deep.include({ state: 'wrong', found: 'hello' });
  });

  it('when the domain has an Ed25519 key, then its record under its own selector is checked: ok, missing or wrong', async () => {
    const ed = generateDkimKey('ed25519');
    const withEd = { ...domain, ed25519Selector: 'edsel', ed25519PublicKey: ed.publicKey };
    const edKey = createPrivateKey(ed.privateKeyPem);
    const name = 'edsel._domainkey.example.com';
    const expected = dkimRecordValue(ed.publicKey, 'ed25519');
    useDnsResolver(zoneResolver({ [name]: [[expected]] }));
    expect(await checkDkim(withEd, edKey)).to.deep.equal({
      kind: 'dkim-ed25519',
      name,
      state: 'ok',
      expected,
      found: expected,
      detail: null,
    });
    useDnsResolver(zoneResolver({ 'sel._domainkey.example.com': [asStrings(dkimRecordValue(pair.publicKey))] }));
    expect(await checkDkim(withEd, edKey)).to.deep.include({ kind: 'dkim-ed25519', state: 'missing', found: null });
    const other = dkimRecordValue(generateDkimKey('ed25519').publicKey, 'ed25519');
    useDnsResolver(zoneResolver({ [name]: [[other]] }));
    expect(await checkDkim(withEd, edKey)).to.deep.include({ kind: 'dkim-ed25519', state: 'wrong', found: other });
  });

  it('when the domain has two SPF records, then SPF is wrong, saying so', async () => {
    useDnsResolver(zoneResolver({ 'example.com': [['v=spf1 mx ~all'], ['v=spf1 include:_spf.relay.example ~all']] }));
    expect((await checkSpf('example.com', RELAY)).detail).to.match(/more than one SPF record/);
  });
});
