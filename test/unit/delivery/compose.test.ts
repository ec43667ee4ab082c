import { expect } from 'chai';
import { composeEmail, fillPlaceholders, senderNameOf } from '../../../src/delivery/compose.js';
import { attemptResult, backoffDelayMs } from '../../../src/delivery/run-pass.js';
import type { Outcome } from '../../../src/delivery/smtp-outcome.js';
import { signUnsubscribeToken, verifyUnsubscribeToken } from '../../../src/delivery/unsubscribe-token.js';

const settings = { from: 'Shop <news@shop.example>', appUrl: 'https://mail.example', secret: 's3cret' };
const recipient = { deliveryId: 7, runId: 3, clientId: 42, email: 'ann@example.test', fullName: 'Ann <Admin> & Co' };
const english = { language: 'en', senderName: 'Bob & Sons' } as const;

describe('composing an e-mail', () => {
  it('when the message has placeholders, then they are filled, and escaped in HTML only', () => {
    const mail = composeEmail(
      {
        subject: 'Hi {{ full_name }}',
        bodyText: 'Dear {{full_name}} ({{email}})',
        bodyHtml: '<p>Dear {{full_name}}</p>',
        ...english,
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
    const mail = composeEmail({ subject: 's', bodyText: 't', bodyHtml: null, ...english }, recipient, settings, 2);
    expect(mail.to).to.deep.equal({ name: 'Ann <Admin> & Co', address: 'ann@example.test' });
    expect(mail.html).to.equal(null);
    expect(mail.messageId).to.equal('<run3.d7.a2@shop.example>');
    const { headers } = mail;
    const token = signUnsubscribeToken(42, 's3cret');
    expect(headers['List-Unsubscribe']).to.equal(`<https://mail.example/unsubscribe/${token}?lang=en>`);
    expect(headers['List-Unsubscribe-Post']).to.equal('List-Unsubscribe=One-Click');
    expect(mail.text).to.contain(`https://mail.example/unsubscribe/${token}`);
  });

  it('when a subject would carry a line break, then it is flattened (no header injection)', () => {
    const mail = composeEmail(
      { subject: 'Hi\r\nBcc: evil@x.test', bodyText: 't', bodyHtml: null, ...english },
      recipient,
      settings,
      1,
    );
    expect(mail.subject).to.equal('Hi Bcc: evil@x.test');
  });

  it('when the message is in Russian, then both footers are Russian, name the sender, and the link carries the language', () => {
    const content = {
      subject: 's',
      bodyText: 'Текст',
      bodyHtml: '<p>Текст</p>',
      language: 'ru',
      senderName: 'ООО <Ромашка>',
    } as const;
    const mail = composeEmail(content, recipient, settings, 1);
    const url = `https://mail.example/unsubscribe/${signUnsubscribeToken(42, 's3cret')}?lang=ru`;
    expect(mail.text).to.equal(
      `Текст\n\n--\nВы получили это письмо, потому что вы клиент: ООО <Ромашка>.\nОтписаться: ${url}\n`,
    );
    expect(mail.html).to.equal(
      '<p>Текст</p><hr><p style="font-size:12px;color:#666">Вы получили это письмо, потому что вы клиент: ' +
        `ООО &lt;Ромашка&gt;. <a href="${url}">Отписаться</a></p>`,
    );
    expect(mail.html).not.to.contain('<Ромашка>');
  });

  it('when the message is in English, then both footers are English and name the sender, escaped in HTML', () => {
    const content = { subject: 's', bodyText: 'Text', bodyHtml: '<p>Text</p>', ...english };
    const mail = composeEmail(content, recipient, settings, 1);
    const url = `https://mail.example/unsubscribe/${signUnsubscribeToken(42, 's3cret')}?lang=en`;
    expect(mail.text).to.equal(
      `Text\n\n--\nYou received this e-mail because you are a client of Bob & Sons.\nTo stop receiving these e-mails: ${url}\n`,
    );
    expect(mail.html).to.equal(
      '<p>Text</p><hr><p style="font-size:12px;color:#666">You received this e-mail because you are a client of ' +
        `Bob &amp; Sons. <a href="${url}">Unsubscribe</a></p>`,
    );
  });

  it('when footers are composed again (translated once per sender), then each names its sender and carries its own link', () => {
    const footer = (senderName: string, language: 'en' | 'ru', clientId: number): string =>
      composeEmail(
        { subject: 's', bodyText: '', bodyHtml: '<p>x</p>', language, senderName },
        { ...recipient, clientId },
        settings,
        1,
      ).html as string;
    const link = (clientId: number, language: string): string =>
      `https://mail.example/unsubscribe/${signUnsubscribeToken(clientId, 's3cret')}?lang=${language}`;
    expect(footer('Ann', 'en', 1))
      .to.contain('client of Ann.')
      .and.contain(`href="${link(1, 'en')}"`);
    expect(footer('Bob', 'en', 2))
      .to.contain('client of Bob.')
      .and.contain(`href="${link(2, 'en')}"`);
    expect(footer('Ann', 'ru', 3))
      .to.contain('клиент: Ann.')
      .and.contain(`href="${link(3, 'ru')}"`);
    const again = footer('Ann', 'en', 4);
    expect(again)
      .to.contain('client of Ann.')
      .and.contain(`href="${link(4, 'en')}"`);
    expect(again).not.to.contain(link(1, 'en'));
  });

  it('when there is no client (a test send), then there is no footer and no unsubscribe header', () => {
    const mail = composeEmail(
      { subject: 's', bodyText: 'Text', bodyHtml: '<p>x</p>', ...english },
      { ...recipient, clientId: null },
      settings,
      1,
    );
    expect(mail.text).to.equal('Text');
    expect(mail.html).to.equal('<p>x</p>');
    expect(mail.headers).to.deep.equal({});
  });

  it("when the owner has no name, then the sender is MAIL_FROM's display name, else its domain", () => {
    expect(senderNameOf(' Ann ', 'Shop <news@shop.example>')).to.equal('Ann');
    expect(senderNameOf('', 'Shop <news@shop.example>')).to.equal('Shop');
    expect(senderNameOf('', 'news@shop.example')).to.equal('shop.example');
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

describe('what an attempt leaves in the log', () => {
  const settings = { maxAttempts: 3, backoffBaseMs: 1000 };
  const at = new Date('2026-12-01T10:00:00Z');
  const temporary: Outcome = { kind: 'temporary', reply: 'dropped', errorClass: 'connection', connectionLevel: true };

  it('when a temporary failure is not the last attempt, then it waits for the backoff', () => {
    const result = attemptResult({ id: 1, attempt: 2 }, temporary, at, true, settings);
    expect(result).to.deep.include({ status: 'pending', counted: true });
    expect(result.nextAttemptAt?.getTime()).to.be.closeTo(Date.now() + 2000, 100);
  });

  it('when the last counted attempt fails, then the delivery has failed', () => {
    expect(attemptResult({ id: 1, attempt: 3 }, temporary, at, true, settings)).to.deep.include({
      status: 'failed',
      nextAttemptAt: null,
    });
  });

  it('when a failure during an outage does not count, then even the last attempt stays pending with no backoff', () => {
    expect(attemptResult({ id: 1, attempt: 3 }, temporary, at, false, settings)).to.deep.include({
      status: 'pending',
      nextAttemptAt: null,
      counted: false,
    });
  });

  it('when the outcome is unknown, then the delivery is unknown at once and never waits for a retry', () => {
    const unknown: Outcome = { kind: 'unknown', reply: 'No reply', errorClass: 'no_reply', connectionLevel: true };
    expect(attemptResult({ id: 1, attempt: 1 }, unknown, at, true, settings)).to.deep.include({
      status: 'unknown',
      nextAttemptAt: null,
    });
  });
});
