import { expect } from 'chai';
import { makeClient, makeMailing, makeUser } from '../../support/factories.js';
import { deliveryConfig, sendNow } from '../../support/delivery.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';

/** A mailing to an IDN domain, a non-ASCII local part and a plain address, sent to the server until it ends. */
async function sendToInternationalAddresses(smtp: SmtpTestServer) {
  const owner = await makeUser();
  const idn = await makeClient(owner, { email: 'anna@пример.рф', fullName: 'Анна' });
  const utf8Local = await makeClient(owner, { email: 'юля@example.test', fullName: 'Юля' });
  const plain = await makeClient(owner, { email: 'plain@example.test' });
  const mailing = await makeMailing(owner, { clients: [idn, utf8Local, plain] });
  const before = smtp.received.length;
  const headersBefore = smtp.toHeaders.length;
  const result = await sendNow(deliveryConfig(smtp.url), mailing.id);
  const byEmail = new Map(result.deliveries.map((d) => [d.email, d]));
  // The server shows a punycode domain in Unicode; the headers show what was written.
  return { result, byEmail, received: smtp.recipientsSince(before), toHeaders: smtp.toHeaders.slice(headersBefore) };
}

describe('international addresses at a real SMTP server', function () {
  this.timeout(30_000);

  it('when the server does not offer SMTPUTF8, then an IDN domain goes as punycode and a non-ASCII local part fails for good, saying why', async () => {
    const smtp = await SmtpTestServer.start('accept', { smtpUtf8: false });
    try {
      const { result, byEmail, received, toHeaders } = await sendToInternationalAddresses(smtp);
      expect(received).to.deep.equal(['anna@пример.рф', 'plain@example.test']);
      expect(toHeaders.find((h) => h.includes('anna@'))).to.match(
        /^=\?UTF-8\?B\?\S+\?= <anna@xn--e1afmkfd\.xn--p1ai>$/,
      );
      expect(toHeaders.join('\n')).to.match(/^[\x20-\x7e\n]*$/);
      expect(byEmail.get('anna@пример.рф')?.status).to.equal('sent');
      const refused = byEmail.get('юля@example.test');
      expect(refused).to.deep.include({ status: 'failed', errorClass: 'smtputf8', attemptCount: 1 });
      expect(refused?.smtpResponse).to.contain('does not offer SMTPUTF8');
      expect(result.run).to.deep.include({ state: 'finished', sentCount: 2, failedCount: 1 });
    } finally {
      await smtp.stop();
    }
  });

  it('when the server offers SMTPUTF8, then the non-ASCII local part is delivered as written', async () => {
    const smtp = await SmtpTestServer.start('accept');
    try {
      const { byEmail, received, toHeaders } = await sendToInternationalAddresses(smtp);
      expect(received).to.deep.equal(['anna@пример.рф', 'plain@example.test', 'юля@example.test']);
      expect(toHeaders.some((h) => h.endsWith('<юля@example.test>'))).to.equal(true);
      expect([...byEmail.values()].map((d) => d.status)).to.deep.equal(['sent', 'sent', 'sent']);
    } finally {
      await smtp.stop();
    }
  });
});
