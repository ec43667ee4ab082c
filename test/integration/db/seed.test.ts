import { expect } from 'chai';
import { DEMO_PASSWORD, seedDemoData } from '../../../seeders/demo-data.js';
import { verifyPassword } from '../../../src/accounts/password.js';
import { Client, Mailing, MailingClient, Message, Post, User } from '../../../src/db/models/index.js';
import { testDatabase } from '../../support/hooks.js';

const MODELS = { User, Client, Message, Mailing, MailingClient, Post };

async function rowCounts(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [name, model] of Object.entries(MODELS)) counts[name] = await (model as typeof User).count();
  return counts;
}

describe('demo seed', () => {
  it('when loaded, then there is one user per role, an address book, mailings in each status and published posts', async () => {
    const result = await seedDemoData(testDatabase(), { timeZone: 'Europe/Berlin' });
    expect(result.logins.map((l) => l.role).sort()).to.deep.equal([
      'admin',
      'content_manager',
      'manager',
      'user',
      'user',
    ]);

    const customer = await User.findOne({ where: { email: 'demo@example.com' } });
    expect(customer?.role).to.equal('user');
    expect(await verifyPassword(DEMO_PASSWORD, customer?.passwordHash ?? '')).to.equal(true);
    expect(await Client.count({ where: { ownerId: customer?.id } })).to.be.at.least(24);
    const mailings = await Mailing.findAll({ where: { ownerId: customer?.id } });
    expect(new Set(mailings.map((m) => m.status))).to.deep.equal(new Set(['created', 'running', 'completed']));
    for (const mailing of mailings) expect(await mailing.countClients()).to.be.greaterThan(0);
    expect(await Post.count({ where: { isPublished: true } })).to.be.at.least(3);
  });

  it('when loaded, then a Russian-speaking customer in Moscow time has Cyrillic clients, Russian messages and mailings in each status, and both customers are among the logins', async () => {
    const result = await seedDemoData(testDatabase(), { timeZone: 'Europe/Berlin' });
    expect(result.logins).to.deep.include({
      role: 'user',
      email: 'demo.ru@example.com',
      password: DEMO_PASSWORD,
      language: 'ru',
    });
    expect(result.logins).to.deep.include({
      role: 'user',
      email: 'demo@example.com',
      password: DEMO_PASSWORD,
      language: 'en',
    });
    const customer = await User.findOne({ where: { email: 'demo.ru@example.com' } });
    expect(customer).to.include({ role: 'user', language: 'ru', timeZone: 'Europe/Moscow' });
    expect(customer?.emailVerifiedAt).to.be.instanceOf(Date);
    const clients = await Client.findAll({ where: { ownerId: customer?.id } });
    expect(clients.length).to.be.at.least(24);
    for (const client of clients) expect(client.fullName, client.email).to.match(/^[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+$/);
    const messages = await Message.findAll({ where: { ownerId: customer?.id } });
    expect(messages.map((m) => m.subject)).to.include('Новости недели');
    for (const message of messages) expect(message.bodyText).to.match(/^Здравствуйте, \{\{full_name\}\}!/);
    const mailings = await Mailing.findAll({ where: { ownerId: customer?.id } });
    expect(new Set(mailings.map((m) => m.status))).to.deep.equal(new Set(['created', 'running', 'completed']));
    for (const mailing of mailings) {
      expect(mailing.timeZone).to.equal('Europe/Moscow');
      expect(mailing.name).to.match(/[а-яё]/);
      expect(await mailing.countClients()).to.be.greaterThan(0);
    }
    const english = await User.findOne({ where: { email: 'demo@example.com' } });
    expect(english).to.include({ language: 'en' });
    expect(await Client.count({ where: { ownerId: english?.id, fullName: 'Anna Ivanova' } })).to.equal(1);
  });

  it('when loaded a second time, then nothing is added', async () => {
    await seedDemoData(testDatabase(), { timeZone: 'UTC' });
    const before = await rowCounts();
    const result = await seedDemoData(testDatabase(), { timeZone: 'UTC' });
    expect(result.createdRows).to.equal(0);
    expect(await rowCounts()).to.deep.equal(before);
  });
});
