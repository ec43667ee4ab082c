import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import request from 'supertest';
import { Client, Message } from '../../../src/db/models/index.js';
import { signUnsubscribeToken } from '../../../src/delivery/unsubscribe-token.js';
import { deliveryConfig, sendNow } from '../../support/delivery.js';
import { makeClient, makeMailing, makeMessage, makeUser } from '../../support/factories.js';
import { testConfig } from '../../support/hooks.js';
import { signedIn, testSite } from '../../support/web.js';

/** The e-mails an outbox folder holds, parsed. */
async function parsedOutbox(folder: string) {
  const files = readdirSync(folder).filter((name) => name.endsWith('.eml'));
  return Promise.all(files.map((name) => simpleParser(readFileSync(path.join(folder, name)))));
}

describe("a message's language", () => {
  it('when a Russian message is mailed, then its footer is Russian in both parts, names the owner, and its link opens Russian pages for an English reader', async () => {
    const owner = await makeUser({ fullName: 'Магазин «Ромашка»' });
    const client = await makeClient(owner);
    const message = await makeMessage(owner, { bodyText: 'Привет', bodyHtml: '<p>Привет</p>' });
    await message.update({ language: 'ru' });
    const mailing = await makeMailing(owner, { message, clients: [client] });
    const config = deliveryConfig(null);
    const { run } = await sendNow(config, mailing.id);
    expect(run.sentCount).to.equal(1);

    const [mail] = await parsedOutbox(config.outboxDir);
    const link = /(http\S+\/unsubscribe\/\S+\?lang=ru)/.exec(mail?.text ?? '')?.[1] as string;
    expect(mail?.text).to.contain('Вы получили это письмо, потому что вы клиент: Магазин «Ромашка».');
    expect(mail?.text).to.contain(`Отписаться: ${link}`).and.not.to.contain('To stop receiving');
    expect(mail?.html).to.contain(`<a href="${link}">Отписаться</a>`).and.contain('клиент: Магазин «Ромашка».');

    const site = testSite();
    const url = new URL(link);
    const asked = await request(site.app)
      .get(url.pathname + url.search)
      .set('Accept-Language', 'en')
      .expect(200);
    expect(asked.text).to.contain('<html lang="ru"').and.contain('Отправитель: Магазин «Ромашка»');
    expect(asked.text).to.contain(`Больше не присылать письма от отправителя «Магазин «Ромашка»» на ${client.email}?`);
    const done = await request(site.app)
      .post(url.pathname + url.search)
      .set('Accept-Language', 'en')
      .expect(200);
    expect(done.text).to.contain('Вы отписаны').and.contain('Магазин «Ромашка»').and.not.to.contain('unsubscribed');
    expect((await Client.findByPk(client.id))?.unsubscribedAt).to.be.instanceOf(Date);
  });

  it("when an old link without a language is opened, then it still works, in the reader's language, naming the sender", async () => {
    const owner = await makeUser({ fullName: 'Corner Shop' });
    const client = await makeClient(owner);
    const url = `/unsubscribe/${signUnsubscribeToken(client.id, testConfig().sessionSecret)}`;
    const site = testSite();
    const asked = await request(site.app).get(url).set('Accept-Language', 'en').expect(200);
    expect(asked.text).to.contain(`Stop sending e-mails from Corner Shop to ${client.email}?`);
    const russian = await request(site.app).get(url).set('Accept-Language', 'ru').expect(200);
    expect(russian.text).to.contain('Отправитель: Corner Shop');
    await request(site.app).post(url).expect(200);
    expect((await Client.findByPk(client.id))?.unsubscribedAt).to.be.instanceOf(Date);
  });

  it('when a broken link carries a language, then its page is in that language', async () => {
    const res = await request(testSite().app).get('/unsubscribe/broken?lang=ru').set('Accept-Language', 'en');
    expect(res.status).to.equal(404);
    expect(res.text).to.contain('Ссылка не работает');
  });

  it("when a new message is written, then the form offers the author's language, keeps the chosen one on errors, and saves it", async () => {
    const author = await makeUser();
    await author.update({ language: 'ru' });
    const browser = await signedIn(testSite().app, author);
    const form = await browser.agent.get('/messages/new').expect(200);
    expect(form.text).to.match(/<option value="ru" selected(="selected")?>Русский<\/option>/);

    const refused = await browser.post('/messages', { subject: '', bodyText: 'x', language: 'en' }).expect(422);
    expect(refused.text).to.match(/<option value="en" selected(="selected")?>English<\/option>/);
    expect(await Message.count({ where: { ownerId: author.id } })).to.equal(0);
    await browser.post('/messages', { subject: 'Hi', bodyText: 'x', language: 'xx' }).expect(422);
    expect(await Message.count({ where: { ownerId: author.id } })).to.equal(0);

    await browser.post('/messages', { subject: 'Hi', bodyText: 'x', language: 'en' }).expect(303);
    await browser.post('/messages', { subject: 'Привет', bodyText: 'x' }).expect(303);
    const saved = await Message.findAll({ where: { ownerId: author.id }, order: [['id', 'ASC']] });
    expect(saved.map((m) => m.language)).to.deep.equal(['en', 'ru']);
  });
});
