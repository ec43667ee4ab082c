// A Russian-speaking customer walks the screens where issue 16's bugs were found, in Russian.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { startRunNow } from '../../src/delivery/mailing-lifecycle.js';
import { FACTORY_PASSWORD, makeClient, makeMailing, makeMessage, makeUser, unique } from '../support/factories.js';
import { browserSuite, type E2eSite, logIn, openPage, screenshot } from '../support/e2e.js';
import { testDatabase } from '../support/hooks.js';

describe('in the browser, in Russian: what a new Russian-speaking customer found', function () {
  this.timeout(90_000);
  let browser: Browser;
  let site: E2eSite;
  const suite = browserSuite();
  beforeEach(() => ({ browser, site } = suite));

  it('when a message has several lines, then its preview shows them as lines', async () => {
    const { page, problems } = await openPage(browser, site, { locale: 'ru-RU' });
    const user = await (await makeUser({ fullName: 'Вера Кузнецова' })).update({ language: 'ru' });
    const message = await makeMessage(user, { subject: 'Новости', bodyText: 'Здравствуйте!\n\nВторая строка\nТретья' });
    await logIn(page, user);
    await page.goto(`/messages/${message.id}`);
    await page.getByRole('heading', { name: 'Новости' }).waitFor();
    const shown = await page.locator('pre').innerText();
    expect(shown).to.contain('Здравствуйте!\n\nВторая строка\nТретья');
    expect(problems).to.deep.equal([]);
  });
  it('when a Russian customer searches in Cyrillic, mistypes a placeholder and reads a mailing’s times, then each works in Russian', async () => {
    const { page, problems } = await openPage(browser, site, { locale: 'ru-RU', timezoneId: 'Europe/Moscow' });
    const user = await (
      await makeUser({ fullName: 'Пётр Соколов' })
    ).update({ language: 'ru', timeZone: 'Europe/Moscow' });
    const vera = await makeClient(user, { fullName: 'Вера Кузнецова', email: `${unique('v')}@example.test` });
    await makeClient(user, { fullName: 'Борис Иванов', email: `${unique('b')}@example.test` });
    await logIn(page, user);

    // Bug 1: any case of a Cyrillic name finds the client.
    await page.goto('/clients');
    await page.getByLabel('Поиск клиентов').fill('вера');
    await page.getByRole('row').filter({ hasText: vera.email }).waitFor();
    await page.getByRole('row').filter({ hasText: 'Борис Иванов' }).waitFor({ state: 'detached' });

    // Bug 6: an unknown placeholder is refused, naming the known ones, and the text stays.
    await page.goto('/messages/new');
    await page.getByRole('heading', { name: 'Новое сообщение' }).waitFor();
    await page.getByLabel('Тема').fill('Привет');
    await page.getByLabel('Текст', { exact: true }).fill('Здравствуйте, {{fullname}}!');
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await page.getByText('Неизвестная подстановка: заполняются только {{full_name}} и {{email}}.').first().waitFor();
    expect(await page.getByLabel('Текст', { exact: true }).inputValue()).to.equal('Здравствуйте, {{fullname}}!');

    // Bug 7: a mailing's times say their zone.
    const startAt = new Date(Date.UTC(2027, 0, 15, 18, 26));
    const mailing = await makeMailing(user, { clients: [vera], startAt, periodicity: 'daily' });
    await page.goto(`/mailings/${mailing.id}`);
    await page.getByText('2027-01-15 21:26 UTC+03:00').first().waitFor();
    expect(problems).to.deep.equal([]);
  });

  it('when a Russian customer follows a mailing to its log and a Russian admin opens the back office, then every screen is Russian', async () => {
    const { page, problems } = await openPage(browser, site, { locale: 'ru-RU', timezoneId: 'Europe/Moscow' });
    const user = await (
      await makeUser({ fullName: 'Вера Кузнецова' })
    ).update({ language: 'ru', timeZone: 'Europe/Moscow' });
    const tag = unique('ru');
    const names = ['Анна Смирнова', 'Борис Иванов', 'Галина Орлова'];
    const clients = [];
    for (const fullName of names)
      clients.push(await makeClient(user, { fullName, email: `${unique('c')}@example.test` }));
    const message = await makeMessage(user, {
      subject: 'Весенний каталог',
      bodyText: 'Здравствуйте, {{full_name}}!\n\nНаш весенний каталог уже вышел.',
    });
    const name = `Весенняя рассылка ${tag}`;
    const mailing = await (await makeMailing(user, { message, clients })).update({ name });
    await logIn(page, user);
    const run = await startRunNow(testDatabase(), mailing.id);

    await page.goto(`/mailings/${mailing.id}`);
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    await page.getByRole('table').getByText('Завершён').waitFor({ timeout: 30_000 });
    await screenshot(page, 'ru-mailing');
    await page.goto('/reports');
    await page.getByRole('heading', { name: 'Отчёт о проведённых рассылках' }).waitFor();
    await page.getByRole('img', { name: 'Доставки по дням' }).waitFor();
    await screenshot(page, 'ru-report');
    await page.goto(`/reports/runs/${run.id}`);
    await page.getByRole('heading', { name: `Журнал запуска №1 рассылки «${name}»` }).waitFor();
    for (const fullName of names)
      await page.getByRole('row').filter({ hasText: fullName }).getByText('Отправлено').waitFor();
    await screenshot(page, 'ru-run-log');
    expect(await page.getAttribute('html', 'lang')).to.equal('ru');
    expect(problems).to.deep.equal([]);

    const { page: office } = await openPage(browser, site, { locale: 'ru-RU' });
    const admin = await (await makeUser({ role: 'admin', fullName: 'Ольга Админова' })).update({ language: 'ru' });
    await office.goto('/admin');
    await office.waitForURL(/\/admin\/login$/);
    // Signed out, the login page speaks the browser's language.
    await office.getByText('Добро пожаловать').first().waitFor();
    await office.locator('input[name=email]').fill(admin.email);
    await office.locator('input[name=password]').fill(FACTORY_PASSWORD);
    await office.getByRole('button', { name: 'Войти' }).click();
    await office.getByRole('heading', { level: 2, name: 'Панель управления рассыльщика' }).waitFor();
    await office.goto('/admin/resources/mailing_runs');
    await office.getByRole('row').filter({ hasText: name }).first().waitFor();
    await screenshot(office, 'ru-admin');
  });
});
