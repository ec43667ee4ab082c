import { expect } from 'chai';
import { composeEmail, fillPlaceholders } from '../../src/delivery/compose.js';
import { backoffDelayMs } from '../../src/delivery/run-pass.js';
import { signUnsubscribeToken, verifyUnsubscribeToken } from '../../src/delivery/unsubscribe-token.js';

const settings = { from: 'Shop <news@shop.example>', appUrl: 'https://mail.example', secret: 's3cret' };
const recipient = { deliveryId: 7, runId: 3, clientId: 42, email: 'ann@example.test', fullName: 'Ann <Admin> & Co' };

describe('composing an e-mail', () => {
  it('when the message has placeholders, then they are filled, and escaped in HTML only', () => {
    const mail = composeEmail(
      {
        subject: 'Hi {{ full_name }}',
        bodyText: 'Dear {{full_name}} ({{email}})',
        bodyHtml: '<p>Dear {{full_name}}</p>',
      },
      recipient,
      settings,
      1,
    );
    expect(mail.subject).to.equal('Hi Ann <Admin> & Co');
    expect(mail.text).to.match(/^Dear Ann <Admin> & Co \(ann@example.test\)/);
    expect(mail.html).to.match(/^<p>Dear Ann &lt;Admin&gt; &amp; Co<\/p>/);
  });

  it('when composed, then there is exactly one recipient, a Message-ID, and one-click unsubscribe headers', () => {
    const mail = composeEmail({ subject: 's', bodyText: 't', bodyHtml: null }, recipient, settings, 2);
    expect(mail.to).to.deep.equal({ name: 'Ann <Admin> & Co', address: 'ann@example.test' });
    expect(mail.cc).to.equal(undefined);
    expect(mail.bcc).to.equal(undefined);
    expect(mail.html).to.equal(undefined);
    expect(mail.messageId).to.equal('<run3.d7.a2@shop.example>');
    const headers = mail.headers as Record<string, string>;
    const token = signUnsubscribeToken(42, 's3cret');
    expect(headers['List-Unsubscribe']).to.equal(`<https://mail.example/unsubscribe/${token}>`);
    expect(headers['List-Unsubscribe-Post']).to.equal('List-Unsubscribe=One-Click');
    expect(mail.text).to.contain(`https://mail.example/unsubscribe/${token}`);
  });

  it('when a subject would carry a line break, then it is flattened (no header injection)', () => {
    const mail = composeEmail(
      { subject: 'Hi\r\nBcc: evil@x.test', bodyText: 't', bodyHtml: null },
      recipient,
      settings,
      1,
    );
    expect(mail.subject).to.equal('Hi Bcc: evil@x.test');
  });

  it('when a placeholder is unknown, then it is left as written', () => {
    expect(fillPlaceholders('{{ coupon }} {{email}}', recipient)).to.equal('{{ coupon }} ann@example.test');
  });
});

describe('unsubscribe tokens', () => {
  it('when signed, then it verifies to the client id, and a tampered or foreign one does not', () => {
    const token = signUnsubscribeToken(12345, 'secret-a');
    expect(verifyUnsubscribeToken(token, 'secret-a')).to.equal(12345);
    expect(verifyUnsubscribeToken(token, 'secret-b')).to.equal(null);
    expect(verifyUnsubscribeToken(token.replace(/^[^.]+/, '1'), 'secret-a')).to.equal(null);
    expect(verifyUnsubscribeToken('nonsense', 'secret-a')).to.equal(null);
  });
});

describe('retry backoff', () => {
  it('when attempts fail, then the delay doubles from the base', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(1000, n))).to.deep.equal([1000, 2000, 4000, 8000]);
  });
});
