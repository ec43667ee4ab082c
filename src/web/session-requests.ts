// express-session's callbacks as promises, for the routes that sign in and out.
import type { Request, Response } from 'express';
import { SITE_COOKIE } from './session-store.js';

/** A new session id for the same visitor (after signing in or a password reset: no session fixation). */
export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err as Error) : resolve())));
}

/** Writes the session now, so the redirect that follows finds it. */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err as Error) : resolve())));
}

/** Signs the visitor out: the session ends and its cookie goes (logging out, deleting one's account). */
export async function endSession(req: Request, res: Response): Promise<void> {
  await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
  res.clearCookie(SITE_COOKIE);
}
