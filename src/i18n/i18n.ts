// UI and system e-mail text in every supported language. Each file locales/<lang>/<area>.json holds the keys
// under `<area>.` so features keep their own text; i18next does plurals and interpolation.
import i18next, { type TFunction } from 'i18next';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config.js';
import { LANGUAGES, type Language } from '../db/models/index.js';

const LOCALES_DIR = path.join(PROJECT_ROOT, 'src/i18n/locales');

export type Translate = TFunction;

function loadResources(): Record<string, { translation: Record<string, unknown> }> {
  const resources: Record<string, { translation: Record<string, unknown> }> = {};
  for (const language of LANGUAGES) {
    const translation: Record<string, unknown> = {};
    for (const file of readdirSync(path.join(LOCALES_DIR, language)).filter((name) => name.endsWith('.json'))) {
      translation[path.basename(file, '.json')] = JSON.parse(
        readFileSync(path.join(LOCALES_DIR, language, file), 'utf8'),
      );
    }
    resources[language] = { translation };
  }
  return resources;
}

const instance = i18next.createInstance();
void instance.init({
  initAsync: false,
  resources: loadResources(),
  supportedLngs: [...LANGUAGES],
  fallbackLng: 'en',
  // Pug escapes every `=` output; escaping here too would double-escape.
  interpolation: { escapeValue: false },
  returnNull: false,
});

// A page asks for dozens of fixed labels (the navbar, the list's headers) on every render, and i18next resolves each
// one through its key path, fallbacks and post-processors again: the same key always gives the same text (the
// resources are loaded once, above), so a key asked for without options is resolved once per language.
const MAX_REMEMBERED_KEYS = 5_000;
const translators = new Map<Language, Translate>();

function rememberingPlainKeys(t: Translate): Translate {
  const plain = new Map<string, string>();
  const remembering = (...args: unknown[]): unknown => {
    const [key] = args;
    if (args.length !== 1 || typeof key !== 'string') return (t as unknown as (...all: unknown[]) => unknown)(...args);
    let text = plain.get(key);
    if (text === undefined) {
      text = t(key);
      if (plain.size >= MAX_REMEMBERED_KEYS) plain.clear();
      plain.set(key, text);
    }
    return text;
  };
  // The same function as i18next's, with the same properties (its language, namespace); only the lookup is cached.
  return Object.assign(remembering, t);
}

/** A translate function fixed to one language (per request, or per e-mail recipient), made once per language. */
export function translator(language: Language): Translate {
  let t = translators.get(language);
  if (!t) {
    t = rememberingPlainKeys(instance.getFixedT(language));
    translators.set(language, t);
  }
  return t;
}

/** True when a string names a language the site speaks. */
export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** Every key of one language, for the test that checks both languages have the same keys. */
export function keysOf(language: Language): string[] {
  const bundle = instance.getResourceBundle(language, 'translation') as Record<string, unknown>;
  const keys: string[] = [];
  const walk = (node: Record<string, unknown>, prefix: string): void => {
    for (const [key, value] of Object.entries(node)) {
      if (value && typeof value === 'object') walk(value as Record<string, unknown>, `${prefix}${key}.`);
      else keys.push(`${prefix}${key}`);
    }
  };
  walk(bundle, '');
  return keys.sort();
}
