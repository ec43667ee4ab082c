import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { Delivery, TestSend, type Message, type User } from '../../../src/db/models/index.js';
import { reapTestSends, TEST_SEND_STALE_MS, TestSender } from '../../../src/delivery/test-sends.js';
import { createMailTransport } from '../../../src/delivery/transports.js';
import { createLogger } from '../../../src/logger.js';
import { queueTestSends } from '../../../src/messages/test-sends.service.js';
import { deleteMessage } from '../../../src/messages/messages.service.js';
import { deliveryConfig } from '../../support/delivery.js';
import { rejectionOf } from '../../support/expect.js';
import { ValidationError } from '../../../src/errors.js';
import { makeClient, makeMessage, makeUser, unique } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

const addressesOf = (n: number): string[] => Array.from({ length: n }, () => `${unique('me')}@example.test`);

describe('test sends', () => {
  let smtp: SmtpTestServer;
  let site: TestSite;
  before(async () => {
    smtp = await SmtpTestServer.start();
  });
  after(() => smtp.stop());
  beforeEach(async () => {
    site = testSite();
    await smtp.setMode('accept');
  });

  /** Drains every pending test send through the test SMTP server with a worker of its own (its own connection). */
  async function drainThroughSmtp(): Promise<void> {
    const config = deliveryConfig(smtp.url);
    const transport = createMailTransport(config, testDatabase());
    try {
      await new TestSender({ config, transport, logger: createLogger('silent') }).drain();
    } finally {
      transport.close();
    }
  }

  async function ownerWithMessage(): Promise<{ owner: User; message: Message }> {
    const owner = await makeUser({ fullName: 'Olga Owner' });
    await makeClient(owner);
    return { owner, message: await makeMessage(owner, { subject: 'Hello {{full_name}}', bodyText: 'To {{email}}' }) };
  }

  it('when the owner queues a test, then the page answers at once, and the worker sends one copy per address with the [Test] subject', async () => {
    const { owner, message } = await ownerWithMessage();
    const browser = await signedIn(site.app, owner);
    const page = await browser.agent.get(`/messages/${message.id}`).expect(200);
    expect(page.text).to.contain(`action="/messages/${message.id}/test-sends"`).and.contain(owner.email);
    const [first, second] = addressesOf(2) as [string, string];

    await browser
      .post(`/messages/${message.id}/test-sends`, { addresses: `${first},\n ${second} ${first}` })
      .expect(303);
    const queued = await TestSend.findAll({ where: { messageId: message.id } });
    expect(queued.map((row) => [row.address, row.status]).sort()).to.deep.equal([
      [first, 'pending'],
      [second, 'pending'],
    ]);

    const waiting = await browser.agent.get(`/messages/${message.id}`).set('HX-Request', 'true').expect(200);
    expect(waiting.text).to.contain('hx-select="#test-send-list"').and.contain('Pending');

    await drainThroughSmtp();
    const counts = smtp.countsByRecipient();
    expect([counts.get(first), counts.get(second)]).to.deep.equal([1, 1]);
    const index = smtp.received.findIndex((m) => m.to === first);
    expect(smtp.subjects[index]).to.equal('[Test] Hello Olga Owner');
    const sent = await TestSend.findAll({ where: { messageId: message.id } });
    expect(sent.every((row) => row.status === 'sent' && /^250/.test(row.reply ?? ''))).to.equal(true);

    const listed = await browser.agent.get(`/messages/${message.id}`).expect(200);
    expect(listed.text).to.contain(first).and.contain('Sent').and.contain('UTC');
    expect(listed.text).not.to.contain('hx-select="#test-send-list"');
  });

  it("when a Russian owner's test is composed, then placeholders are filled for the owner, the subject says [Тест], and there is no unsubscribe", async () => {
    const { owner, message } = await ownerWithMessage();
    await owner.update({ language: 'ru' });
    const [address] = addressesOf(1) as [string];
    await queueTestSends(owner, message.id, [address]);
    const config = deliveryConfig(null);
    const transport = createMailTransport(config, testDatabase());
    await new TestSender({ config, transport, logger: createLogger('silent') }).drain();
    transport.close();
    const files = readdirSync(config.outboxDir).filter((name) => name.endsWith('.eml'));
    const mails = await Promise.all(files.map((name) => simpleParser(readFileSync(path.join(config.outboxDir, name)))));
    const mail = mails.find((m) => m.text?.includes(address));
    expect(mail?.subject).to.equal('[Тест] Hello Olga Owner');
    expect(mail?.text?.trim()).to.equal(`To ${address}`);
    expect(mail?.headers.has('list-unsubscribe')).to.equal(false);
  });

  it('when the addresses are invalid, more than five or none, then the form comes back with the error and the input, and nothing is stored', async () => {
    const { owner, message } = await ownerWithMessage();
    const browser = await signedIn(site.app, owner);
    const cases: [string, string][] = [
      ['me@example.test, not-an-address', 'Each address must be a valid e-mail address.'],
      [addressesOf(6).join(' '), 'A test goes to at most 5 addresses.'],
      ['  ', 'This field is required'],
    ];
    for (const [addresses, error] of cases) {
      const res = await browser.post(`/messages/${message.id}/test-sends`, { addresses }).expect(422);
      expect(res.text).to.contain(error);
      if (addresses.trim()) expect(res.text).to.contain(addresses.split(/[ ,]+/)[1]);
    }
    expect(await TestSend.count({ where: { messageId: message.id } })).to.equal(0);
  });

  it('when a user has queued 20 test addresses within the hour, then the next test is refused with a clear message', async () => {
    const { owner, message } = await ownerWithMessage();
    const browser = await signedIn(site.app, owner);
    for (let i = 0; i < 4; i += 1) {
      await browser.post(`/messages/${message.id}/test-sends`, { addresses: addressesOf(5).join(',') }).expect(303);
    }
    const res = await browser.post(`/messages/${message.id}/test-sends`, { addresses: owner.email }).expect(422);
    expect(res.text).to.contain('You can send tests to at most 20 addresses an hour.');
    expect(await TestSend.count({ where: { userId: owner.id } })).to.equal(20);
    await TestSend.destroy({ where: { userId: owner.id } });
  });

  it('when two tests that would together pass the hour’s limit come at the same moment, then only one is queued', async () => {
    const { owner, message } = await ownerWithMessage();
    await queueTestSends(owner, message.id, addressesOf(5));
    await queueTestSends(owner, message.id, addressesOf(5));
    const outcomes = await Promise.allSettled([0, 1, 2].map(() => queueTestSends(owner, message.id, addressesOf(5))));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).to.have.length(2);
    expect(await TestSend.count({ where: { userId: owner.id } })).to.equal(20);
    await TestSend.destroy({ where: { userId: owner.id } });
  });

  it("when someone tests another user's message, then it is a 404; a manager gets no form and a 403", async () => {
    const { message } = await ownerWithMessage();
    const stranger = await signedIn(site.app, await makeUser());
    await stranger.post(`/messages/${message.id}/test-sends`, { addresses: 'x@example.test' }).expect(404);
    const manager = await signedIn(site.app, await makeUser({ role: 'manager' }));
    const page = await manager.agent.get(`/messages/${message.id}`).expect(200);
    expect(page.text).not.to.contain('test-sends');
    await manager.post(`/messages/${message.id}/test-sends`, { addresses: 'x@example.test' }).expect(403);
    expect(await TestSend.count({ where: { messageId: message.id } })).to.equal(0);
  });

  it('when a test was sent, then it appears in no report, run log or delivery count', async () => {
    const { owner, message } = await ownerWithMessage();
    const [address] = addressesOf(1) as [string];
    const deliveriesBefore = await Delivery.count();
    await queueTestSends(owner, message.id, [address]);
    await drainThroughSmtp();
    expect((await TestSend.findOne({ where: { address } }))?.status).to.equal('sent');
    const browser = await signedIn(site.app, owner);
    for (const url of ['/reports', '/reports/export.csv', '/']) {
      const res = await browser.agent.get(url).expect(200);
      expect(res.text, url).not.to.contain(address);
    }
    expect(await Delivery.count()).to.equal(deliveriesBefore);
  });

  it('when two workers claim at once, then each test is sent exactly once', async () => {
    const { owner, message } = await ownerWithMessage();
    const addresses = addressesOf(5);
    await queueTestSends(owner, message.id, addresses);
    await Promise.all([drainThroughSmtp(), drainThroughSmtp(), drainThroughSmtp()]);
    const counts = smtp.countsByRecipient();
    expect(addresses.map((a) => counts.get(a))).to.deep.equal([1, 1, 1, 1, 1]);
    const rows = await TestSend.findAll({ where: { messageId: message.id } });
    expect(rows.map((row) => row.status)).to.deep.equal(['sent', 'sent', 'sent', 'sent', 'sent']);
  });

  it("when the server drops the connection after the whole message, then the test is unknown; a dead worker's claim turns unknown and is never resent", async () => {
    const { owner, message } = await ownerWithMessage();
    const [dropped, crashed] = addressesOf(2) as [string, string];
    await smtp.setMode('accept-drop');
    await queueTestSends(owner, message.id, [dropped]);
    await drainThroughSmtp();
    const row = await TestSend.findOne({ where: { address: dropped }, rejectOnEmpty: true });
    expect(row.status).to.equal('unknown');

    await smtp.setMode('accept');
    const [stuck] = (await queueTestSends(owner, message.id, [crashed])) as [TestSend];
    const longAgo = new Date(Date.now() - TEST_SEND_STALE_MS - 1000);
    await TestSend.update({ status: 'sending', attemptedAt: longAgo }, { where: { id: stuck.id } });
    expect(await reapTestSends()).to.be.greaterThan(0);
    await drainThroughSmtp();
    expect((await stuck.reload()).status).to.equal('unknown');
    expect(smtp.countsByRecipient().get(crashed)).to.equal(undefined);
  });
  it('when a worker died mid-send, then a Russian owner reads why in Russian; a deleted message’s tests still count towards the hour', async () => {
    const { owner, message } = await ownerWithMessage();
    await owner.update({ language: 'ru' });
    const [stuck] = (await queueTestSends(owner, message.id, addressesOf(1))) as [TestSend];
    await TestSend.update(
      { status: 'sending', attemptedAt: new Date(Date.now() - TEST_SEND_STALE_MS - 1000) },
      { where: { id: stuck.id } },
    );
    await reapTestSends();
    const browser = await signedIn(site.app, owner);
    const page = await browser.agent.get(`/messages/${message.id}`).expect(200);
    expect(page.text).to.contain('Отправка прервалась: письмо могло дойти').and.not.to.contain('testSends.notes');

    await queueTestSends(owner, message.id, addressesOf(5));
    await queueTestSends(owner, message.id, addressesOf(5));
    await queueTestSends(owner, message.id, addressesOf(5));
    await deleteMessage(owner, message.id);
    expect(await TestSend.count({ where: { userId: owner.id } })).to.equal(16);
    const again = await makeMessage(owner);
    const refused = await rejectionOf(queueTestSends(owner, again.id, addressesOf(5)));
    expect(refused).to.be.instanceOf(ValidationError);
    await TestSend.destroy({ where: { userId: owner.id } });
  });
});
