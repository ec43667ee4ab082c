import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import type { Response } from 'supertest';
import yauzl from 'yauzl';
import {
  Client,
  Delivery,
  Mailing,
  MailingClient,
  MailingRun,
  Message,
  Post,
  Session,
  TestSend,
  Token,
  User,
} from '../../../src/db/models/index.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { RunWorker } from '../../../src/delivery/run-worker.js';
import { workUntilEnded } from '../../../src/delivery/foreground.js';
import { createMailTransport } from '../../../src/delivery/transports.js';
import { issueToken } from '../../../src/accounts/tokens.js';
import { createLogger } from '../../../src/logger.js';
import { deliveryConfig, mailingWithClients } from '../../support/delivery.js';
import {
  FACTORY_PASSWORD,
  makeClient,
  makeDelivery,
  makeMailing,
  makeMessage,
  makePost,
  makeRun,
  makeUser,
} from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';
import { signedIn, testSite, visitor, type TestSite } from '../../support/web.js';

/** The response's body as bytes. */
function binary(res: Response, callback: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

/** Every entry of a ZIP, by name, as text. */
function unzip(zip: Buffer): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const files = new Map<string, string>();
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, archive) => {
      if (err) return reject(err);
      archive.on('entry', (entry: yauzl.Entry) => {
        archive.openReadStream(entry, (streamErr, stream) => {
          if (streamErr) return reject(streamErr);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            files.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
            archive.readEntry();
          });
        });
      });
      archive.on('end', () => resolve(files));
      archive.on('error', reject);
      archive.readEntry();
    });
  });
}

function rowsOf(text: string | undefined): string[][] {
  expect(text?.startsWith('\uFEFF'), 'a UTF-8 BOM').to.equal(true);
  return parse(text ?? '', { bom: true });
}

/** The rows of every table that the user owns or that names them. */
async function ownedRowCounts(userId: number, clientIds: number[], mailingIds: number[]) {
  const runIds = (await MailingRun.findAll({ where: { mailingId: mailingIds } })).map((run) => run.id);
  return {
    users: await User.count({ where: { id: userId } }),
    clients: await Client.count({ where: { ownerId: userId } }),
    messages: await Message.count({ where: { ownerId: userId } }),
    mailings: await Mailing.count({ where: { ownerId: userId } }),
    mailingClients: await MailingClient.count({ where: { clientId: clientIds } }),
    runs: runIds.length,
    deliveries: await Delivery.count({ where: { clientId: clientIds } }),
    sessions: await Session.count({ where: { userId } }),
    tokens: (await Token.count({ where: { userId } })) + (await Token.count({ where: { clientId: clientIds } })),
    testSends: await TestSend.count({ where: { userId } }),
  };
}

describe("an account's data archive and its deletion", function () {
  this.timeout(60_000);
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it('when a user downloads their data, then one ZIP holds their clients, messages, mailings, runs and log as CSV with a BOM, in their zone and language, and nothing of anyone else', async () => {
    const owner = await makeUser();
    await owner.update({ timeZone: 'Europe/Moscow', language: 'ru' });
    const other = await makeUser();
    const client = await makeClient(owner, { fullName: 'Иван Петров', comment: '=SUM(A1)' });
    await makeClient(other, { fullName: 'Someone Else' });
    const message = await makeMessage(owner, { subject: 'Новости недели' });
    const mailing = await makeMailing(owner, { message, clients: [client] });
    const run = await makeRun(mailing, new Date('2026-03-01T09:00:00Z'));
    await makeDelivery(run, client);
    const foreign = await makeMailing(other, { clients: [] });
    await makeRun(foreign, new Date('2026-03-01T09:00:00Z'));

    const browser = await signedIn(site.app, owner);
    const res = await browser.agent.get('/profile/data.zip').buffer(true).parse(binary).expect(200);
    expect(res.headers['content-disposition']).to.match(/^attachment; filename="?mailer-data-\d{4}-\d\d-\d\d\.zip"?$/);
    const files = await unzip(res.body as Buffer);
    expect([...files.keys()]).to.deep.equal([
      'clients.csv',
      'messages.csv',
      'mailings.csv',
      'runs.csv',
      'deliveries.csv',
    ]);

    const clients = rowsOf(files.get('clients.csv'));
    expect(clients).to.deep.equal([
      ['email', 'full_name', 'comment', 'unsubscribed_at'],
      [client.email, 'Иван Петров', "'=SUM(A1)", ''],
    ]);
    const messages = rowsOf(files.get('messages.csv'));
    expect(messages[0]).to.deep.equal(['Номер', 'Тема', 'Текст', 'HTML', 'Создано']);
    expect(messages.slice(1).map((row) => row[1])).to.deep.equal(['Новости недели']);
    expect(messages[1]?.[4]).to.match(/\+03:00$/);
    const mailings = rowsOf(files.get('mailings.csv'));
    expect(mailings).to.have.length(2);
    expect(mailings[1]).to.include(mailing.name).and.to.include('Новости недели').and.to.include('Ежедневно');
    const runs = rowsOf(files.get('runs.csv'));
    expect(runs).to.have.length(2);
    expect(runs[1]?.slice(0, 2)).to.deep.equal([String(run.number), mailing.name]);
    expect(runs[1]?.[2]).to.equal('2026-03-01T12:00:00+03:00');
    const log = rowsOf(files.get('deliveries.csv'));
    expect(log).to.have.length(2);
    expect(log[1]?.slice(0, 4)).to.deep.equal([mailing.name, String(run.number), client.email, 'Иван Петров']);
    expect([...files.values()].join('')).not.to.contain('Someone Else');
  });

  it('when a manager downloads their data, then the runs and log are their own only, not everyone they oversee', async () => {
    const manager = await makeUser({ role: 'manager' });
    const { mailing } = await mailingWithClients(1);
    await makeRun(mailing);
    const browser = await signedIn(site.app, manager);
    const res = await browser.agent.get('/profile/data.zip').buffer(true).parse(binary).expect(200);
    const files = await unzip(res.body as Buffer);
    expect(rowsOf(files.get('runs.csv'))).to.have.length(1);
    expect(rowsOf(files.get('mailings.csv'))).to.have.length(1);
  });

  it('when the password is wrong or the box is not ticked, then the form says so and nothing is deleted', async () => {
    const user = await makeUser();
    await makeClient(user);
    const browser = await signedIn(site.app, user);
    const wrong = await browser.post('/profile/delete', { currentPassword: 'not it', confirm: 'yes' }).expect(422);
    expect(wrong.text).to.contain('is-invalid').and.not.to.contain('not it');
    const unticked = await browser.post('/profile/delete', { currentPassword: FACTORY_PASSWORD }).expect(422);
    expect(unticked.text).to.contain('Tick the box to confirm.');
    expect(await User.count({ where: { id: user.id } })).to.equal(1);
    expect(await Client.count({ where: { ownerId: user.id } })).to.equal(1);
    await browser.agent.get('/profile').expect(200);
  });

  it('when a user deletes their account, then every row they own is gone, they are signed out and told so, and others keep theirs', async () => {
    const user = await makeUser();
    const other = await makeUser();
    const clients = [await makeClient(user), await makeClient(user)];
    const mailing = await makeMailing(user, { clients });
    const run = await makeRun(mailing);
    for (const client of clients) await makeDelivery(run, client);
    const message = await makeMessage(user);
    await TestSend.create({ userId: user.id, messageId: message.id, address: user.email });
    const post = await makePost({ author: user });
    await issueToken(user.id, 'reset_password', 60_000);
    const othersClient = await makeClient(other);
    const othersMailing = await makeMailing(other, { clients: [othersClient] });
    await othersMailing.update({ isDisabled: true, disabledById: user.id });
    const browser = await signedIn(site.app, user);
    const clientIds = clients.map((client) => client.id);

    const done = await browser
      .post('/profile/delete', { currentPassword: FACTORY_PASSWORD, confirm: 'yes' })
      .expect(303);
    expect(done.headers.location).to.equal('/account/deleted');
    const page = await browser.agent.get('/account/deleted').expect(200);
    expect(page.text).to.contain('Your account is deleted');
    await browser.agent.get('/profile').expect(303).expect('Location', '/login?next=%2Fprofile');

    expect(await ownedRowCounts(user.id, clientIds, [mailing.id])).to.deep.equal({
      users: 0,
      clients: 0,
      messages: 0,
      mailings: 0,
      mailingClients: 0,
      runs: 0,
      deliveries: 0,
      sessions: 0,
      tokens: 0,
      testSends: 0,
    });
    expect((await Post.findByPk(post.id))?.authorId).to.equal(null);
    expect(await Client.count({ where: { ownerId: other.id } })).to.equal(1);
    expect((await Mailing.findByPk(othersMailing.id))?.disabledById).to.equal(null);
    const login = await visitor(site.app);
    await login.post('/login', { email: user.email, password: FACTORY_PASSWORD }).expect(422);
  });

  it('when the only admin tries to delete their account, then it is refused saying why; with a second admin it works', async () => {
    const admins = await User.findAll({ where: { role: 'admin' } });
    await User.update({ role: 'manager' }, { where: { role: 'admin' } });
    try {
      const admin = await makeUser({ role: 'admin' });
      const browser = await signedIn(site.app, admin);
      const refused = await browser
        .post('/profile/delete', { currentPassword: FACTORY_PASSWORD, confirm: 'yes' })
        .set('Referer', '/profile')
        .expect(303);
      expect(refused.headers.location).to.equal('/profile');
      const page = await browser.agent.get('/profile').expect(200);
      expect(page.text).to.contain('You are the only administrator');
      expect(await User.count({ where: { id: admin.id } })).to.equal(1);
      await makeUser({ role: 'admin' });
      await browser.post('/profile/delete', { currentPassword: FACTORY_PASSWORD, confirm: 'yes' }).expect(303);
      expect(await User.count({ where: { id: admin.id } })).to.equal(0);
    } finally {
      await User.update({ role: 'admin' }, { where: { id: admins.map((admin) => admin.id) } });
    }
  });

  it('when the only two admins delete their accounts at the same moment, then one goes and the other is refused, never both', async () => {
    const admins = await User.findAll({ where: { role: 'admin' } });
    await User.update({ role: 'manager' }, { where: { role: 'admin' } });
    try {
      const pair = [await makeUser({ role: 'admin' }), await makeUser({ role: 'admin' })];
      const later = new Date(Date.now() + 86_400_000);
      const mailings = await Promise.all(pair.map((admin) => makeMailing(admin, { clients: [], startAt: later })));
      const browsers = await Promise.all(pair.map((admin) => signedIn(site.app, admin)));
      const answers = await Promise.all(
        browsers.map((browser) =>
          browser
            .post('/profile/delete', { currentPassword: FACTORY_PASSWORD, confirm: 'yes' })
            .set('Referer', '/profile'),
        ),
      );
      expect(answers.map((res) => res.status)).to.deep.equal([303, 303]);
      expect(answers.map((res) => res.headers.location).sort()).to.deep.equal(['/account/deleted', '/profile']);
      expect(await User.count({ where: { id: pair.map((admin) => admin.id) } })).to.equal(1);
      // The refused admin's mailing, disabled while the deletion was tried, is enabled again.
      const kept = await Mailing.findAll({ where: { id: mailings.map((mailing) => mailing.id) } });
      expect(kept.map((mailing) => mailing.isDisabled)).to.deep.equal([false]);
    } finally {
      await User.update({ role: 'admin' }, { where: { id: admins.map((admin) => admin.id) } });
    }
  });

  describe('while a run is being sent', () => {
    let smtp: SmtpTestServer;
    before(async () => {
      smtp = await SmtpTestServer.start('delay 100');
    });
    after(async () => {
      await smtp.stop();
    });

    it('when the owner deletes their account, then the run stops, the worker ends without an error, and nothing more is sent', async () => {
      const { owner, mailing, clients } = await mailingWithClients(40);
      const before = smtp.received.length;
      const run = await startRunNow(testDatabase(), mailing.id);
      const config = deliveryConfig(smtp.url);
      const transport = createMailTransport(config, testDatabase());
      const worker = new RunWorker({ sequelize: testDatabase(), config, transport, logger: createLogger('silent') });
      const working = workUntilEnded(worker, run.id, { deadline: Date.now() + 20_000 });
      try {
        while (smtp.received.length - before < 2) await new Promise((resolve) => setTimeout(resolve, 10));
        const browser = await signedIn(site.app, owner);
        await browser.post('/profile/delete', { currentPassword: FACTORY_PASSWORD, confirm: 'yes' }).expect(303);
        const progress = await working;
        expect(progress.state).not.to.equal('waiting');
        const sentThen = smtp.received.length - before;
        expect(sentThen).to.be.below(40);
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(smtp.received.length - before).to.equal(sentThen);
        expect(await MailingRun.count({ where: { id: run.id } })).to.equal(0);
        expect(await Client.count({ where: { id: clients.map((client) => client.id) } })).to.equal(0);
      } finally {
        worker.stop();
        transport.close();
      }
    });
  });
});
