// express-session's callbacks as promises, for the routes that sign in and out.
import type { Request } from 'express';

/** A new session id for the same visitor (after signing in or a password reset: no session fixation). */
export function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err as Error) : resolve())));
}

/** Writes the session now, so the redirect that follows finds it. */
export function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err as Error) : resolve())));
}
