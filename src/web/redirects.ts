// Where to send the browser after an action, without ever redirecting off-site.
import type { Request, Response } from 'express';

/** A same-site path from user input (`?next=`), or the fallback. */
export function safeLocalPath(value: unknown, fallback: string): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : fallback;
}

/**
 * Ends a successful action: 303 to the next page (htmx follows it and pushes the final URL). The session (its
 * flash message) is saved first: express-session would send the headers before its own save completes, and a
 * browser that follows the redirect at once would load the session without the message.
 */
export function redirectAfterAction(req: Request, res: Response, location: string): void {
  const go = (): void => res.redirect(303, location);
  if (req.session) req.session.save(go);
  else go();
}
