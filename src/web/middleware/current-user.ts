// Who is asking: loads the session's user on every request and gates routes by permission.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { blockNoticeOf, type BlockNotice } from '../../accounts/accounts.service.js';
import { User } from '../../db/models/index.js';
import { AppError } from '../../errors.js';
import { roleCan, type Permission } from '../../permissions.js';
import { takeSessionUser } from '../session-user.js';

declare module 'express-session' {
  interface SessionData {
    userId?: number;
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    user?: User;
    /** Set when this request's session was a blocked account's: `tellBlockedOwner` answers it. */
    blockNotice?: BlockNotice;
  }
}

/** A route's declared access; the router test reads it off the middleware to prove every route has one. */
export type Access = string;
export type AccessGate = RequestHandler & { access: Access };

/**
 * Puts the signed-in user on `req.user`; a deleted or blocked user's session ends here. The owner of a blocked
 * account is told why instead of the page asked for (once: the session is gone after that).
 */
export function loadCurrentUser(serviceAddress: string): RequestHandler {
  return async (req, _res, next) => {
    const userId = req.session?.userId;
    if (!userId) return next();
    const handed = takeSessionUser(req.sessionID, userId);
    const user = handed === undefined ? await User.findByPk(userId) : handed;
    if (!user || user.isBlocked) {
      await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
      if (user) req.blockNotice = await blockNoticeOf(user, serviceAddress);
      return next();
    }
    req.user = user;
    next();
  };
}

/** Answers a blocked account's last request with the reason (after the page helpers, so it renders in full). */
export function tellBlockedOwner(): RequestHandler {
  return (req, res, next) => {
    if (!req.blockNotice) return next();
    res.status(403).render('accounts/blocked', { title: req.t('accounts.blocked.title'), notice: req.blockNotice });
  };
}

/** The signed-in user of a route behind `can()`; throws if a route forgot its gate. */
export function currentUser(req: Request): User {
  if (!req.user) throw new AppError('Sign in first', 401, 'unauthenticated');
  return req.user;
}

function gate(access: Access, check: (req: Request, res: Response, next: NextFunction) => void): AccessGate {
  return Object.assign(check, { access });
}

/** Lets only signed-in users holding one of the permissions through; others go to the login page or get 403. */
export function can(...permissions: [Permission, ...Permission[]]): AccessGate {
  return gate(permissions.join('|'), (req, res, next) => {
    if (!req.user) {
      if (req.method === 'GET') {
        const target = `/login?next=${encodeURIComponent(req.originalUrl)}`;
        if (req.get('HX-Request')) return void res.set('HX-Redirect', target).status(401).end();
        return res.redirect(303, target);
      }
      return next(new AppError('Sign in first', 401, 'unauthenticated'));
    }
    const { role } = req.user;
    if (!permissions.some((permission) => roleCan(role, permission))) {
      return next(new AppError('Forbidden', 403, 'forbidden'));
    }
    next();
  });
}

/** Marks a route open to everyone. */
export function everyone(): AccessGate {
  return gate('public', (_req, _res, next) => next());
}

/**
 * Marks a public route whose callers prove who they are by signing each call (a provider's webhook): it has no
 * session, so no CSRF token, and is mounted ahead of the origin check for that reason only; the handler verifies
 * the signature before it does anything.
 */
export function signedCalls(): AccessGate {
  return gate('public:signed', (_req, _res, next) => next());
}

/** Marks a route for signed-out visitors only (login, register): a signed-in user goes to the app. */
export function guestsOnly(): AccessGate {
  return gate('guest', (req, res, next) => {
    if (req.user) return res.redirect(303, '/');
    next();
  });
}
