// Every screen a Russian-speaking user can open, rendered in Russian, carries none of the site's English text:
// each English string of the locale files (its fixed parts between interpolations) is looked for in what the
// page shows (text, and the attributes people read: labels, titles, placeholders, alt texts).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import request from 'supertest';
import { PROJECT_ROOT } from '../../../src/config.js';
import { Delivery, TestSend } from '../../../src/db/models/index.js';
import { unsubscribeUrlOf } from '../../../src/delivery/compose.js';
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
import { testConfig } from '../../support/hooks.js';
import { customerScreens } from '../../support/routes.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

type Strings = Map<string, string>;

function localeStrings(language: 'en' | 'ru'): Strings {
  const strings: Strings = new Map();
  const walk = (node: unknown, prefix: string): void => {
    if (typeof node === 'string') strings.set(prefix, node);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) walk(value, prefix ? `${prefix}.${key}` : key);
    }
  };
  const dir = path.join(PROJECT_ROOT, 'src/i18n/locales', language);
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    walk(JSON.parse(readFileSync(path.join(dir, file), 'utf8')), path.basename(file, '.json'));
  }
  return strings;
}

/** The English phrases a Russian page must not show: fixed parts of two words or more that Russian lacks. */
function englishPhrases(): string[] {
  const en = localeStrings('en');
  const ru = localeStrings('ru');
  const phrases = new Set<string>();
  for (const [key, text] of en) {
    const russian = ru.get(key) ?? '';
    for (const part of text.split(/\{\{[^}]*\}\}|\$t\([^)]*\)/)) {
      const phrase = part.trim().replace(/^[\s.,:;!?«»"()–-]+|[\s.,:;!?«»"()–-]+$/g, '');
      if (/[A-Za-z]+\s+[A-Za-z]+/.test(phrase) && phrase.length >= 8 && !russian.includes(phrase)) phrases.add(phrase);
    }
  }
  return [...phrases];
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

/** What a reader sees of a page: its text and its readable attributes, entities decoded. */
function readable(html: string): string {
  const attributes = [...html.matchAll(/\s(?:aria-label|title|placeholder|alt|value)="([^"]*)"/g)].map((m) => m[1]);
  const body = html
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .concat(' ', attributes.join(' '));
  return body.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity).replace(/\s+/g, ' ');
}

describe('every screen in Russian', () => {
  let site: TestSite;
  const phrases = englishPhrases();
  before(() => {
    site = testSite();
  });

  function expectRussian(url: string, html: string): void {
    const text = readable(html);
    const found = phrases.filter((phrase) => text.includes(phrase));
    expect(found, `English on ${url}`).to.deep.equal([]);
  }

  it('reads the English phrases of the locale files', () => {
    expect(phrases).to.include.members(['Full name', 'Sign up free']);
    expect(phrases.length).to.be.greaterThan(200);
  });

  it("when a visitor reads the public pages in Russian, then none of them shows the site's English", async () => {
    // With an image: its alt text (here the title, none being written) is read too.
    const post = await makePost({ title: 'Новости сервиса', imagePath: 'posts/news.png' });
    for (const url of [
      '/',
      '/blog',
      `/blog/${post.id}`,
      '/login',
      '/register',
      '/password/forgot',
      '/nope',
      '/account/deleted',
    ]) {
      const res = await request(site.app).get(url).set('Accept-Language', 'ru');
      expectRussian(url, res.text);
    }
  });

  it("when a Russian customer opens every screen, then none shows the site's English", async () => {
    const owner = await (await makeUser({ fullName: 'Вера Кузнецова' })).update({ language: 'ru' });
    const client = await makeClient(owner, { fullName: 'Иван Петров' });
    const message = await makeMessage(owner, { subject: 'Весенние новости', bodyText: 'Здравствуйте, {{full_name}}!' });
    const mailing = await makeMailing(owner, { name: 'Весенняя рассылка', message, clients: [client] });
    const run = await makeRun(mailing);
    const delivery = await makeDelivery(run, client);
    await Delivery.update(
      { status: 'failed', smtpResponse: '550 5.1.1 mailbox unavailable' },
      { where: { id: delivery.id } },
    );
    // The message page's list of test sends, with a status and a server's reply.
    const test = { userId: owner.id, messageId: message.id, address: owner.email, status: 'failed' } as const;
    await TestSend.create({ ...test, reply: '550 5.1.1 mailbox unavailable' });
    const browser = await signedIn(site.app, owner);
    const ids = { client: client.id, message: message.id, mailing: mailing.id, run: run.id };
    // The lists searched (found and not) and sorted: their search boxes, headers' titles and empty states.
    const lists = ['/mailings?q=весенн&sort=name&dir=asc', '/mailings?q=ничего', '/mailings?sort=nextRun&dir=desc'];
    lists.push('/messages?q=ВЕСЕННИЕ&sort=subject&dir=desc', '/messages?q=ничего', '/messages?sort=created&dir=asc');
    const urls = [...customerScreens(ids), ...lists, '/clients/new', '/clients/import', '/messages/new', '/users'];
    for (const url of urls) expectRussian(url, (await browser.agent.get(url)).text);
    const secret = testConfig().sessionSecret;
    // The unsubscribe link of the Russian message, opened by an English browser, then confirmed.
    const link = new URL(
      unsubscribeUrlOf(client.id, message.language, { from: '', appUrl: 'http://mailer.test', secret }),
    );
    const unsubscribePath = link.pathname + link.search;
    expectRussian(
      `GET ${unsubscribePath}`,
      (await request(site.app).get(unsubscribePath).set('Accept-Language', 'en')).text,
    );
    expectRussian(
      `POST ${unsubscribePath}`,
      (await request(site.app).post(unsubscribePath).set('Accept-Language', 'en')).text,
    );
  });

  it("when a Russian customer gets the deletion form wrong, then deletes the account, then neither page shows the site's English", async () => {
    const owner = await (await makeUser({ fullName: 'Пётр Иванов' })).update({ language: 'ru' });
    const browser = await signedIn(site.app, owner);
    const wrong = await browser.post('/profile/delete', { currentPassword: 'не тот' }).expect(422);
    expectRussian('/profile/delete', wrong.text);
    await browser.post('/profile/delete', { currentPassword: FACTORY_PASSWORD, confirm: 'yes' }).expect(303);
    const done = await browser.agent.get('/account/deleted').set('Accept-Language', 'ru').expect(200);
    expectRussian('/account/deleted', done.text);
  });

  it("when a Russian manager oversees mailings and users, then none of their screens shows the site's English", async () => {
    const manager = await (await makeUser({ role: 'manager' })).update({ language: 'ru' });
    const owner = await makeUser();
    const mailing = await makeMailing(owner, { clients: [await makeClient(owner)] });
    // Another customer's mailing named in English words of the site: the walk must not trip over others' data.
    await (await makeMailing(await makeUser(), {})).update({ name: 'Sign up free' });
    const browser = await signedIn(site.app, manager);
    // Lists narrowed to this test's owner: other tests' records (English names) are everyone's to see here. The
    // report's mailing and owner filters offer every customer's mailing and name, so their options are left out.
    const lists = [`/mailings?owner=${owner.id}`, `/users?q=${encodeURIComponent(owner.email)}`];
    lists.push(
      `/mailings?owner=${owner.id}&q=ничего`,
      `/mailings?owner=${owner.id}&status=completed&sort=state&dir=asc`,
    );
    lists.push(`/users?q=${encodeURIComponent(owner.email)}&sort=created&dir=desc`, '/users?q=ничего&sort=role');
    for (const url of [...lists, `/mailings/${mailing.id}`, `/reports?mailing=${mailing.id}`, '/clients']) {
      const html = (await browser.agent.get(url)).text.replace(
        /<select[^>]*id="field-(mailing|owner)"[\s\S]*?<\/select>/g,
        '',
      );
      expectRussian(url, html);
    }
  });
  it("when a Russian owner is asked to confirm a run's actions, then the questions and warnings are Russian", async () => {
    const owner = await (await makeUser()).update({ language: 'ru' });
    const client = await makeClient(owner);
    const mailing = await makeMailing(owner, { clients: [client] });
    const run = await makeRun(mailing);
    await (await makeDelivery(run, client)).update({ status: 'unknown', errorClass: 'no_reply' });
    await run.update({ state: 'finished', finishedAt: new Date() });
    const browser = await signedIn(site.app, owner);
    const asks = [`/mailings/${mailing.id}/send`, `/mailings/${mailing.id}/runs/${run.id}/retry-unknown`];
    for (const url of [...asks, `/mailings/${mailing.id}/delete`]) {
      const res = await browser.post(url).expect(200);
      expectRussian(url, res.text);
    }
    const page = (await browser.agent.get(`/mailings/${mailing.id}`).expect(200)).text;
    expectRussian(`/mailings/${mailing.id}`, page);
    expect(page).to.contain('Повторить неизвестные');
  });
});
