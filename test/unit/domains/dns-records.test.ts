import { expect } from 'chai';
import { recordsOf, txtStrings, zoneLine } from '../../../src/domains/dns-records.js';
import { normaliseDomainName } from '../../../src/domains/domain.form.js';

const key = 'A'.repeat(392);

describe('DNS records of a sending domain', () => {
  it('when the records are listed, then DKIM, SPF (with the configured term) and a report-only DMARC come in order', () => {
    const records = recordsOf(
      { name: 'example.com', dkimSelector: 'sel', dkimPublicKey: key },
      'include:_spf.relay.example',
    );
    expect(records.map((r) => [r.kind, r.name])).to.deep.equal([
      ['dkim', 'sel._domainkey.example.com'],
      ['spf', 'example.com'],
      ['dmarc', '_dmarc.example.com'],
    ]);
    expect(records[1]?.value).to.equal('v=spf1 include:_spf.relay.example ~all');
    expect(records[2]?.value).to.match(/^v=DMARC1; p=none; rua=mailto:dmarc-reports@example\.com/);
  });

  it('when a TXT value is longer than 255 characters, then the zone line splits it into quoted strings of at most 255', () => {
    const [dkim] = recordsOf({ name: 'example.com', dkimSelector: 'sel', dkimPublicKey: key }, 'mx');
    const line = zoneLine(dkim!);
    expect(line.startsWith('sel._domainkey.example.com. IN TXT "v=DKIM1; k=rsa; p=AAA')).to.equal(true);
    const strings = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1] as string);
    expect(strings.map((s) => s.length)).to.deep.equal([255, `v=DKIM1; k=rsa; p=${key}`.length - 255]);
    expect(strings.join('')).to.equal(`v=DKIM1; k=rsa; p=${key}`);
    expect(txtStrings('say "hi"')).to.equal('"say \\"hi\\""');
  });

  it('when an Ed25519 key is present, then its record follows the RSA one with k=ed25519', () => {
    const records = recordsOf(
      { name: 'example.com', dkimSelector: 's', dkimPublicKey: key, ed25519Selector: 'se', ed25519PublicKey: 'ED' },
      'mx',
    );
    expect(records[1]).to.deep.include({ name: 'se._domainkey.example.com', value: 'v=DKIM1; k=ed25519; p=ED' });
  });

  it('when a domain name is typed, then it is stored lower case in punycode, and a bad one is refused', () => {
    expect(normaliseDomainName(' Mail.Example.COM. ')).to.equal('mail.example.com');
    expect(normaliseDomainName('пример.рф')).to.equal('xn--e1afmkfd.xn--p1ai');
    for (const bad of ['localhost', 'bad_domain.com', '-x.com', '1.2.3.4', 'a..b', ''])
      expect(normaliseDomainName(bad), bad).to.equal(null);
  });
});
