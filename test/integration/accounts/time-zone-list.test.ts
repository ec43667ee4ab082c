import { expect } from 'chai';
import { DateTime } from 'luxon';
import { isValidTimeZone } from '../../../src/config.js';
import { Mailing, User } from '../../../src/db/models/index.js';
import { offsetLabel, zoneChoices } from '../../../src/forms/zone-choices.js';
import { makeMailing, makeUser } from '../../support/factories.js';
import { signedIn, testSite, visitor, type TestSite } from '../../support/web.js';

const JANUARY = DateTime.fromISO('2026-01-15T12:00:00Z');

describe('the time-zone list', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it('when offsets are labelled, then they read UTC±hh:mm with a true minus sign', () => {
    expect(offsetLabel(180)).to.equal('UTC+03:00');
    expect(offsetLabel(0)).to.equal('UTC+00:00');
    expect(offsetLabel(-210)).to.equal('UTC\u221203:30');
    expect(offsetLabel(345)).to.equal('UTC+05:45');
  });

  it('when listed, then every zone is a current valid IANA id (no Etc/, no old ICU names), ordered by offset then name, named in the language', () => {
    const en = zoneChoices('en', undefined, JANUARY);
    const ru = zoneChoices('ru', undefined, JANUARY);
    expect(en.length).to.be.above(300);
    for (const { value } of en) expect(isValidTimeZone(value), value).to.equal(true);
    const values = en.map((choice) => choice.value);
    expect(values.filter((zone) => zone.startsWith('Etc/'))).to.deep.equal([]);
    expect(values).to.include.members(['UTC', 'Europe/Moscow', 'Asia/Kolkata', 'Europe/Kyiv', 'America/New_York']);
    expect(values).not.to.include.members(['Asia/Calcutta', 'Europe/Kiev']);
    expect(new Set(values).size).to.equal(values.length);
    const offsets = en.map((choice) => DateTime.fromISO('2026-01-15T12:00:00Z').setZone(choice.value).offset);
    expect(offsets).to.deep.equal([...offsets].sort((a, b) => a - b));
    expect(en).to.deep.include({ value: 'Europe/Moscow', label: 'UTC+03:00 Moscow' });
    expect(ru).to.deep.include({ value: 'Europe/Moscow', label: 'UTC+03:00 Москва' });
    expect(ru).to.deep.include({ value: 'Asia/Vladivostok', label: 'UTC+10:00 Владивосток' });
    expect(ru).to.deep.include({ value: 'Asia/Almaty', label: 'UTC+05:00 Алматы' });
    expect(en).to.deep.include({ value: 'America/New_York', label: 'UTC\u221205:00 New York' });
    const moscowTime = ru.filter((choice) => choice.label.startsWith('UTC+03:00')).map((choice) => choice.label);
    expect(moscowTime).to.deep.equal([...moscowTime].sort((a, b) => a.localeCompare(b, 'ru')));
  });

  it('when a form shows a stored zone the list no longer offers, then it is kept as the first choice', () => {
    const choices = zoneChoices('en', 'Asia/Calcutta', JANUARY);
    expect(choices[0]).to.deep.equal({ value: 'Asia/Calcutta', label: 'UTC+05:30 Calcutta' });
    expect(zoneChoices('en', 'Mars/Base', JANUARY)).to.deep.equal(zoneChoices('en', undefined, JANUARY));
  });

  it('when a Russian user opens the profile, then the list shows Russian names with offsets and a filter field, and their stored old zone is selected and saved again', async () => {
    const user = await makeUser();
    await user.update({ language: 'ru', timeZone: 'Europe/Kiev' });
    const browser = await signedIn(site.app, user);
    const page = await browser.agent.get('/profile').expect(200);
    expect(page.text).to.match(/<option value="Europe\/Moscow"[^>]*>UTC\+03:00 Москва<\/option>/);
    expect(page.text).to.match(/<option value="Europe\/Kiev" selected[^>]*>UTC\+0[23]:00 Kiev<\/option>/);
    expect(page.text).to.contain('data-zone-filter="field-timeZone"').and.to.contain('Найти пояс');
    await browser.post('/profile', { fullName: 'Олег', timeZone: 'Europe/Kiev', language: 'ru' }).expect(303);
    expect((await User.findByPk(user.id))?.timeZone).to.equal('Europe/Kiev');
    await browser.post('/profile', { fullName: 'Олег', timeZone: 'Etc/GMT-3', language: 'ru' }).expect(303);
    expect((await User.findByPk(user.id))?.timeZone).to.equal('Etc/GMT-3');
    const bad = await browser.post('/profile', { fullName: 'Олег', timeZone: 'Mars/Base', language: 'ru' }).expect(422);
    expect(bad.text).to.contain('is-invalid');
  });

  it('when the register and mailing forms are opened, then they offer the same labelled list; a mailing keeps its stored old zone', async () => {
    const guest = await visitor(site.app);
    const register = await guest.agent.get('/register').expect(200);
    expect(register.text).to.match(/<option value="Asia\/Tokyo"[^>]*>UTC\+09:00 Tokyo<\/option>/);
    const owner = await makeUser();
    const mailing = await makeMailing(owner);
    await Mailing.update({ timeZone: 'Asia/Saigon' }, { where: { id: mailing.id } });
    const browser = await signedIn(site.app, owner);
    const edit = await browser.agent.get(`/mailings/${mailing.id}/edit`).expect(200);
    expect(edit.text).to.match(/<option value="Asia\/Saigon" selected[^>]*>UTC\+07:00 Saigon<\/option>/);
    expect(edit.text).to.match(/<option value="Asia\/Ho_Chi_Minh"[^>]*>UTC\+07:00 Ho Chi Minh<\/option>/);
  });
});
