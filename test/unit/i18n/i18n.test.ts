import { expect } from 'chai';
import { keysOf, translator } from '../../../src/i18n/i18n.js';

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

function baseKeys(language: 'en' | 'ru'): string[] {
  return [...new Set(keysOf(language).map((key) => key.replace(PLURAL_SUFFIX, '')))].sort();
}

describe('translations', () => {
  it('when a key exists in English, then it exists in Russian, and the other way round', () => {
    expect(baseKeys('ru')).to.deep.equal(baseKeys('en'));
  });

  it('when a Russian plural is used, then every form Russian needs is there', () => {
    const ru = new Set(keysOf('ru'));
    const plurals = [...ru].filter((key) => key.endsWith('_one')).map((key) => key.slice(0, -4));
    for (const key of plurals) {
      for (const form of ['few', 'many', 'other']) expect(ru.has(`${key}_${form}`), `${key}_${form}`).to.equal(true);
    }
    expect(translator('ru')('messages.mailingCount', { count: 5 })).to.equal('5 рассылок');
    expect(translator('ru')('messages.mailingCount', { count: 2 })).to.equal('2 рассылки');
  });

  it('when a number stands beside a noun, then Russian agrees with it (1, 2–4, 5–20 and 0, 21)', () => {
    const t = translator('ru');
    const forms = (key: string) => [1, 3, 5, 0, 21].map((count) => t(key, { count }));
    expect(forms('home.stats.mailings')).to.deep.equal(['рассылка', 'рассылки', 'рассылок', 'рассылок', 'рассылка']);
    expect(forms('home.stats.uniqueClients')).to.deep.equal([
      'получатель',
      'получателя',
      'получателей',
      'получателей',
      'получатель',
    ]);
    expect(t('clients.import.summary.exists', { count: 0 })).to.equal('0 строк пропущено: клиенты уже есть');
    expect(t('clients.import.confirm', { count: 3 })).to.equal('Импортировать 3 клиента');
    expect(t('clients.import.confirm', { count: 5 })).to.equal('Импортировать 5 клиентов');
  });
});
