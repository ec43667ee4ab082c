// Picks the language of each response: the signed-in user's profile, else the visitor's choice (cookie),
// else the browser's Accept-Language.
import { parse as parseCookies } from 'cookie';
import type { Request, RequestHandler, Response } from 'express';
import { LANGUAGES, type Language } from '../../db/models/index.js';
import { isLanguage, translator, type Translate } from '../../i18n/i18n.js';

export const LANGUAGE_COOKIE = 'lang';

declare module 'express-serve-static-core' {
  interface Request {
    language: Language;
    t: Translate;
  }
}

/** The language for this request (see the file comment for the order). */
export function languageOf(req: Request): Language {
  if (req.user) return req.user.language;
  const chosen = parseCookies(req.headers.cookie ?? '')[LANGUAGE_COOKIE];
  if (isLanguage(chosen)) return chosen;
  const accepted = req.acceptsLanguages(...LANGUAGES);
  return isLanguage(accepted) ? accepted : 'en';
}

/** Answers this request in the given language (`req.t`, `res.locals.t`, the page's `lang`). */
export function speak(req: Request, res: Response, language: Language): void {
  req.language = language;
  req.t = translator(language);
  res.locals.lang = language;
  res.locals.t = req.t;
}

/** Sets `req.t`/`res.locals.t` and the page's language. */
export function chooseLanguage(): RequestHandler {
  return (req, res, next) => {
    speak(req, res, languageOf(req));
    res.vary('Accept-Language');
    next();
  };
}
