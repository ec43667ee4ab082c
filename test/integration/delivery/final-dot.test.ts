import { expect } from 'chai';
import { createMailTransport, SendWithdrawn, type MailTransport } from '../../../src/delivery/transports.js';
import type { OutgoingEmail } from '../../../src/delivery/mime.js';
import { deliveryConfig } from '../../support/delivery.js';
import { testDatabase } from '../../support/hooks.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';

/** A promise with its resolve function, to say yes or no at a moment the test chooses. */
function decision(): { promise: Promise<boolean>; decide: (yes: boolean) => void } {
  let decide: (yes: boolean) => void = () => undefined;
  const promise = new Promise<boolean>((resolve) => (decide = resolve));
  return { promise, decide };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function email(n: number): OutgoingEmail {
  return {
    from: 'sender@example.com',
    to: { name: `Client ${n}`, address: `dot${n}@example.org` },
    subject: 'Hello',
    text: `Message ${n}\n`,
    html: null,
    messageId: `<dot${n}.${Date.now()}@example.com>`,
    date: new Date(),
    headers: {},
  };
}

describe('the final dot of DATA waits for the send to be confirmed (a real server process)', function () {
  this.timeout(30_000);
  let smtp: SmtpTestServer;
  let transport: MailTransport;

  before(async () => {
    smtp = await SmtpTestServer.start();
    transport = createMailTransport(deliveryConfig(smtp.url, { poolSize: 1 }), testDatabase());
  });
  after(async () => {
    transport.close();
    await smtp.stop();
  });

  it('when the confirmation comes late, then the conversation runs meanwhile and the message arrives only after it', async () => {
    const before = smtp.received.length;
    const gate = decision();
    const mail = email(1);
    const sent = transport.send(mail, undefined, () => gate.promise);
    // The envelope went out while the confirmation was pending: the server has the recipient, not the message.
    for (let i = 0; i < 100 && !smtp.recipientTries.has(mail.to.address); i++) await sleep(20);
    expect(smtp.recipientTries.get(mail.to.address)).to.equal(1);
    await sleep(300);
    expect(smtp.received.length).to.equal(before);
    gate.decide(true);
    const info = await sent;
    expect(info.response).to.match(/^250 /);
    expect(smtp.received.slice(before).map((m) => m.to)).to.deep.equal([mail.to.address]);
  });

  it('when the confirmation says no, then the server delivers nothing and the next message goes through', async () => {
    const before = smtp.received.length;
    const gate = decision();
    const withdrawn = email(2);
    const sent = transport.send(withdrawn, undefined, () => gate.promise);
    for (let i = 0; i < 100 && !smtp.recipientTries.has(withdrawn.to.address); i++) await sleep(20);
    gate.decide(false);
    let error: unknown;
    await sent.catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(SendWithdrawn);
    // The next message on the same pool (a fresh connection) arrives alone: nothing of the first is delivered.
    const next = email(3);
    await transport.send(next, undefined, () => Promise.resolve(true));
    await sleep(200);
    expect(smtp.received.slice(before).map((m) => m.to)).to.deep.equal([next.to.address]);
  });

  it('when the confirmation fails, then the send is withdrawn as when it says no', async () => {
    const before = smtp.received.length;
    let error: unknown;
    await transport
      .send(email(4), undefined, () => Promise.reject(new Error('database gone')))
      .catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(SendWithdrawn);
    await sleep(200);
    expect(smtp.received.length).to.equal(before);
  });
});
