// The back office speaks the signed-in staff member's profile language: AdminJS's own texts, our resources,
// fields and components, and the rules' messages; the site's navigation links staff (only) to it.
import { expect } from 'chai';
import request from 'supertest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { USER_ROLES, type Language } from '../../../src/db/models/index.js';
import { PROJECT_ROOT } from '../../../src/config.js';
import { mayEnterBackOffice } from '../../../admin/access.js';
import { adminTexts } from '../../../admin/locale/locale.js';
import { TEXTS_EN } from '../../../admin/locale/texts-en.js';
import { makeUser } from '../../support/factories.js';
import { signedIn, visitor } from '../../support/web.js';
import { API, ORIGIN, backOffice, body } from './back-office.js';

type Tree = Record<string, unknown>;

/** Every leaf key of a translation tree, plural forms folded into their base key. */
function keysOf(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    value && typeof value === 'object'
      ? keysOf(value as Tree, `${prefix}${key}.`)
      : [`${prefix}${key.replace(/_(plural|one|few|many|other)$/, '')}`],
  );
}

interface PageLocale {
  language: string;
  availableLanguages: string[];
  translations: Record<string, Tree>;
}

/** The locale AdminJS puts into the page for its client (window.REDUX_STATE). */
function localeOfPage(html: string): PageLocale {
  const state = /window\.REDUX_STATE = (.*);\n/.exec(html)?.[1];
  if (!state) throw new Error('no REDUX_STATE in the page');
  return (JSON.parse(state) as { locale: PageLocale }).locale;
}

function textAt(tree: Tree | undefined, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Tree | undefined)?.[part], tree);
}

describe('the back office in the staff member’s language', () => {
  const office = backOffice();
  const { staff } = office;

  it('when a Russian admin opens the dashboard, then the page is Russian with Russian texts throughout', async () => {
    const { agent } = await staff('admin', 'ru');
    const page = await agent.get('/admin').expect(200);
    expect(page.text).to.include('<html lang=ru>');
    const locale = localeOfPage(page.text);
    expect(locale.language).to.equal('ru');
    expect(locale.availableLanguages).to.deep.equal(['ru']);
    const ru = locale.translations.ru;
    expect(textAt(ru, 'components.BackOfficeHome.title')).to.equal('Панель управления рассыльщика');
    expect(textAt(ru, 'labels.users')).to.equal('Учётные записи');
    expect(textAt(ru, 'labels.role.content_manager')).to.equal('Контент-менеджер');
    expect(textAt(ru, 'properties.email')).to.equal('Электронная почта');
    expect(textAt(ru, 'actions.new')).to.equal('Создать');
    expect(textAt(ru, 'actions.search')).to.equal('Поиск');
    expect(textAt(ru, 'buttons.save')).to.equal('Сохранить');
    expect(textAt(ru, 'messages.successfullyCreated')).to.equal('Новая запись создана');
    expect(locale.translations).not.to.have.property('en');
  });

  it('when a Russian admin opens a resource list, then its labels are Russian too', async () => {
    const { agent } = await staff('admin', 'ru');
    const ru = localeOfPage((await agent.get('/admin/resources/users').expect(200)).text).translations.ru;
    expect(textAt(ru, 'properties.fullName')).to.equal('Имя');
    expect(textAt(ru, 'properties.isBlocked')).to.equal('Заблокирован');
    expect(textAt(ru, 'messages.newPasswordHelp')).to.match(/^Оставьте пустым/);
  });

  it('when an English admin opens the dashboard, then it is English', async () => {
    const { agent } = await staff('admin');
    const locale = localeOfPage((await agent.get('/admin').expect(200)).text);
    expect(locale.language).to.equal('en');
    expect(textAt(locale.translations.en, 'components.BackOfficeHome.title')).to.equal('Mailer back office');
  });

  it('when a staff member switches their profile to Russian, then the next page of the back office is Russian', async () => {
    const { agent, user } = await staff('content_manager');
    expect(localeOfPage((await agent.get('/admin').expect(200)).text).language).to.equal('en');
    await user.update({ language: 'ru' });
    expect(localeOfPage((await agent.get('/admin').expect(200)).text).language).to.equal('ru');
  });

  /** The e-mail error of a new account whose address another account has, as the staff member reads it. */
  async function takenEmailError(language: Language): Promise<string | undefined> {
    const { agent } = await staff('admin', language);
    const existing = await makeUser();
    const res = await agent
      .post(`${API}/users/actions/new`)
      .field('email', existing.email)
      .field('fullName', 'Second Account')
      .field('newPassword', 'a brand new passphrase 42')
      .expect(200);
    return body(res).record?.errors.email?.message;
  }

  it('when a Russian admin creates an account with a taken e-mail, then the field error is Russian', async () => {
    expect(await takenEmailError('ru')).to.equal('Учётная запись с таким адресом уже есть.');
  });

  it('when an English admin makes the same mistake, then the error stays English', async () => {
    expect(await takenEmailError('en')).to.equal('An account with this e-mail already exists.');
  });

  it('when a Russian admin leaves out the new account’s password, then that error is Russian as well', async () => {
    const { agent } = await staff('admin', 'ru');
    const res = body(
      await agent
        .post(`${API}/users/actions/new`)
        .field('email', 'no-password@example.test')
        .field('fullName', 'No Password')
        .expect(200),
    );
    expect(res.record?.errors.newPassword?.message, JSON.stringify(res)).to.equal(
      'Задайте пароль новой учётной записи.',
    );
  });
});

describe('the back office’s own answers in the reader’s language', () => {
  const office = backOffice();
  const { staff } = office;

  it('when a Russian browser opens the login page signed out, then it is Russian; a chosen English stays English', async () => {
    const russian = await request(office.app).get('/admin/login').set('Accept-Language', 'ru').expect(200);
    expect(russian.text).to.include('<html lang=ru>');
    expect(textAt(localeOfPage(russian.text).translations.ru, 'components.Login.welcomeHeader')).to.equal(
      'Добро пожаловать',
    );
    const chosen = await request(office.app)
      .get('/admin/login')
      .set('Accept-Language', 'ru')
      .set('Cookie', 'lang=en')
      .expect(200);
    expect(localeOfPage(chosen.text).language).to.equal('en');
  });

  it('when a Russian reader fails to sign in too often, then the login page says so in Russian', async () => {
    const user = await makeUser({ role: 'admin' });
    let page = '';
    for (let i = 0; i < 7; i += 1) {
      const res = await request(office.app)
        .post('/admin/login')
        .set('Origin', ORIGIN)
        .set('Accept-Language', 'ru')
        .type('form')
        .send({ email: user.email, password: 'not the password' });
      page = res.text;
    }
    const state = /window\.__APP_STATE__ = JSON\.parse\('(.*)'\);/.exec(page)?.[1] ?? '';
    const key = (JSON.parse(state) as { errorMessage?: string }).errorMessage ?? '';
    expect(key).to.equal('tooManyRequests');
    expect(textAt(localeOfPage(page).translations.ru, `messages.${key}`)).to.match(/^Слишком много неудачных попыток/);
  });

  it('when a Russian staff member is refused (foreign origin, role, sign-out by GET), then every answer is Russian', async () => {
    const { agent, cookie } = await staff('content_manager', 'ru');
    // Refused before the session is read: the browser's language says which.
    const foreign = await request(office.app)
      .post('/admin/logout')
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'cross-site')
      .set('Accept-Language', 'ru')
      .expect(403);
    expect(foreign.text).to.equal('Этот запрос пришёл не со страниц панели управления.');
    const role = body(await agent.get(`${API}/users/actions/list`).expect(403));
    expect(role.notice).to.deep.equal({
      message: 'Этот раздел панели управления недоступен для вашей роли.',
      type: 'error',
    });
    expect((await agent.get('/admin/resources/users').expect(403)).text).to.equal(
      'Этот раздел панели управления недоступен для вашей роли.',
    );
    expect((await agent.get('/admin/logout').expect(405)).text).to.equal('Выйдите через меню панели управления.');
  });
});

describe('the back office’s texts', () => {
  it('has every English key of ours in Russian', () => {
    const ru = new Set(keysOf(adminTexts('ru')));
    expect(keysOf(TEXTS_EN as Tree).filter((key) => !ru.has(key))).to.deep.equal([]);
  });

  it('has every key of AdminJS’s own English in Russian (AdminJS brings no Russian)', () => {
    const english = JSON.parse(
      readFileSync(path.join(PROJECT_ROOT, 'node_modules/adminjs/lib/locale/en/translation.json'), 'utf8'),
    ) as Tree;
    const ru = new Set(keysOf(adminTexts('ru')));
    expect(keysOf(english).filter((key) => !ru.has(key))).to.deep.equal([]);
  });
});

describe('the site’s link to the back office', () => {
  const office = backOffice();

  for (const role of USER_ROLES) {
    const shown = mayEnterBackOffice(role);
    it(`when a ${role} is signed in, then the navigation ${shown ? 'links' : 'does not link'} to /admin`, async () => {
      const browser = await signedIn(office.app, await makeUser({ role }));
      const page = await browser.agent.get('/').expect(200);
      const link = /<a class="nav-link" href="\/admin" hx-boost="false">Back office<\/a>/;
      if (shown) expect(page.text).to.match(link);
      else expect(page.text).not.to.include('href="/admin"');
    });
  }

  it('when a Russian admin is signed in, then the link says so in Russian', async () => {
    const admin = await makeUser({ role: 'admin' });
    await admin.update({ language: 'ru' });
    const page = await (await signedIn(office.app, admin)).agent.get('/').expect(200);
    expect(page.text).to.include('>Панель управления</a>');
  });

  it('when nobody is signed in, then there is no link', async () => {
    const page = await (await visitor(office.app)).agent.get('/').expect(200);
    expect(page.text).not.to.include('href="/admin"');
  });
});
