// The language of a back office request: the signed-in staff member's profile, else what the site answers the
// same browser in (its language cookie, else Accept-Language). AdminJS renders its login page without handing
// the request to the `locale` option, so each request is kept in an AsyncLocalStorage for that option to read.
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import type { Request, RequestHandler } from 'express';
import type { Language } from '../src/db/models/index.js';
import { isLanguage } from '../src/i18n/i18n.js';
import { languageOf } from '../src/web/middleware/language.js';

const currentRequest = new AsyncLocalStorage<Request>();

/**
 * Runs the rest of a back office request with the request at hand for currentRequestLanguage(). The body's
 * events are bound to it too: AdminJS's form parser goes on from them (the login POST), outside the context.
 */
export function keepRequestAtHand(): RequestHandler {
  return (req, _res, next) =>
    currentRequest.run(req, () => {
      const emit: typeof req.emit = req.emit.bind(req);
      req.emit = AsyncResource.bind(emit);
      next();
    });
}

/** The language to answer a back office request in (see the file comment for the order). */
export function backOfficeLanguage(req: Request): Language {
  const staff: unknown = req.session?.adminUser?.language;
  return isLanguage(staff) ? staff : languageOf(req);
}

/** The language of the back office request being answered, if there is one (the login page's locale). */
export function currentRequestLanguage(): Language | undefined {
  const req = currentRequest.getStore();
  return req ? backOfficeLanguage(req) : undefined;
}
