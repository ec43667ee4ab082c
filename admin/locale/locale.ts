// The back office's language is the signed-in staff member's profile language. AdminJS calls `locale` with the
// session's admin on every page it renders (its `getLocales`), so one AdminJS instance answers each staff
// member in their own language: `language` is theirs and the only one available (no language switch, nothing
// kept in the browser). Signed out (the login page), it is the language the site speaks to that browser.
import type { CurrentAdmin, Locale, LocaleTranslations } from 'adminjs';
import { isLanguage } from '../../src/i18n/i18n.js';
import type { Language } from '../../src/db/models/index.js';
import { currentRequestLanguage } from '../request-language.js';
import { ADMINJS_RU } from './adminjs-ru.js';
import { TEXTS_EN } from './texts-en.js';
import { TEXTS_RU } from './texts-ru.js';

/** Our texts over AdminJS's own, per language (AdminJS brings its English itself). */
const TRANSLATIONS: Record<Language, LocaleTranslations> = {
  en: TEXTS_EN,
  ru: mergeTexts(ADMINJS_RU, TEXTS_RU),
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Tree = Record<string, unknown>;

function mergeTrees(base: Tree, over: Tree): Tree {
  const merged: Tree = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] = isObject(current) && isObject(value) ? mergeTrees(current, value) : value;
  }
  return merged;
}

/** A deep merge of two translation trees, the second winning. */
export function mergeTexts(base: LocaleTranslations, over: LocaleTranslations): LocaleTranslations {
  return mergeTrees(base, over) as LocaleTranslations;
}

/**
 * The language of whoever is signed in to the back office; when nobody is, the site's language for the browser
 * of the request being answered (English outside a request).
 */
export function languageOf(admin: CurrentAdmin | undefined): Language {
  const language = (admin as { language?: unknown } | undefined)?.language;
  return isLanguage(language) ? language : (currentRequestLanguage() ?? 'en');
}

/** One of the back office's own messages (refusals, errors) in a language, for answers AdminJS does not render. */
export function backOfficeMessage(language: Language, key: string): string {
  const messages = (TRANSLATIONS[language].messages ?? {}) as Record<string, unknown>;
  return Object.hasOwn(messages, key) ? String(messages[key]) : key;
}

/** AdminJS's `locale` option: the signed-in staff member's language and its texts. */
export function adminLocale(admin?: CurrentAdmin): Locale {
  const language = languageOf(admin);
  return { language, availableLanguages: [language], translations: { [language]: TRANSLATIONS[language] } };
}

/** The back office's texts of a language (for the parity test). */
export function adminTexts(language: Language): LocaleTranslations {
  return TRANSLATIONS[language];
}
