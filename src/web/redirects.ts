// Where to send the browser after an action, without ever redirecting off-site.
import type { Request, Response } from 'express';

/** A same-site path from user input (`?next=`), or the fallback. */
export function safeLocalPath(value: unknown, fallback: string): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : fallback;
}

/** Ends a successful action: 303 to the next page (htmx follows it and pushes the final URL). */
export function redirectAfterAction(_req: Request, res: Response, location: string): void {
  res.redirect(303, location);
}
