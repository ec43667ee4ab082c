// The back office's own answers to a request it refuses or cannot serve (AdminJS renders none of these): one
// sentence in the request's language, as a notice AdminJS's pages show for its API, as plain text elsewhere.
import type { Request, Response } from 'express';
import { backOfficeMessage } from './locale/locale.js';
import { backOfficeLanguage } from './request-language.js';

/** Keys of the back office's own messages (admin/locale/texts-*.ts, `messages`) that answer a request. */
export type BackOfficeAnswer =
  'foreignOrigin' | 'signInAgain' | 'notForYourRole' | 'uploadTooLarge' | 'somethingWentWrong' | 'signOutWithMenu';

/** True for AdminJS's API calls (its pages' fetches), which expect JSON. */
export function isApiRequest(req: Request): boolean {
  return /^\/api\//i.test(req.path);
}

/** Answers with a status and one of the back office's messages, never cached. */
export function answerInBackOffice(req: Request, res: Response, status: number, key: BackOfficeAnswer): void {
  const language = backOfficeLanguage(req);
  const message = backOfficeMessage(language, key);
  res.status(status).set('Cache-Control', 'no-store').set('Content-Language', language);
  if (isApiRequest(req)) res.json({ notice: { message, type: 'error' } });
  else res.type('text/plain').send(message);
}
