// Signing in to the back office and keeping each request honest: the login checks the users table like the
// site does (bcrypt, blocked, unverified) and lets only admins and content managers in; every later request
// reloads the account (a blocked or demoted one is out at once) and is refused unless its role may use the
// resource and action it asks for.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { SessionOptions } from 'express-session';
import type { CurrentAdmin } from 'adminjs';
import type { Config } from '../src/config.js';
import { authenticate } from '../src/accounts/accounts.service.js';
import { findAccount } from '../src/users/users.service.js';
import type { LoginLimiter } from '../src/accounts/login-limiter.js';
import { normaliseEmail, type Language, type User, type UserRole } from '../src/db/models/index.js';
import { sessionOptions } from '../src/web/session-store.js';
import { mayEnterBackOffice } from './access.js';
import { answerInBackOffice, isApiRequest } from './answers.js';

export const ADMIN_ROOT = '/admin';
export const ADMIN_COOKIE = 'mailer.admin';
const ADMIN_SESSION_HOURS = 8;

/** What AdminJS keeps as `currentAdmin` in the session (and hands to every action). */
export interface AdminIdentity extends CurrentAdmin {
  id: string;
  userId: number;
  email: string;
  title: string;
  role: UserRole;
  /** The profile language: the back office's language (admin/locale/locale.ts). */
  language: Language;
}

declare module 'express-session' {
  interface SessionData {
    adminUser?: AdminIdentity;
  }
}

/** The session of the back office: its own cookie (path /admin) over the site's session table. */
export function adminSessionOptions(config: Pick<Config, 'sessionSecret' | 'isProduction'>): SessionOptions {
  return sessionOptions(config, {
    name: ADMIN_COOKIE,
    path: ADMIN_ROOT,
    maxAgeMs: ADMIN_SESSION_HOURS * 60 * 60 * 1000,
  });
}

/**
 * AdminJS writes the session's admin into an inline script of every page with plain JSON.stringify: nothing
 * that could end the script (`</script>`, an HTML comment, U+2028/2029) may reach it, even from rows stored
 * before addresses were checked this strictly.
 */
function inlineSafe(text: string): string {
  return text.replace(/[<>&\u2028\u2029]/g, '');
}

function identityOf(user: User): AdminIdentity {
  return {
    id: String(user.id),
    userId: user.id,
    email: inlineSafe(user.email),
    title: inlineSafe(user.fullName || user.email),
    role: user.role,
    language: user.language,
  };
}

/** AdminJS's `authenticate`: the admin identity, or null (AdminJS then shows "wrong e-mail or password"). */
export function adminAuthenticator(limiter: LoginLimiter) {
  return async (email: unknown, password: unknown, context?: { req: Request }): Promise<AdminIdentity | null> => {
    const address = normaliseEmail(typeof email === 'string' ? email : '');
    const ip = context?.req.ip ?? 'unknown';
    if ((await limiter.retryAfterMs(address, ip)) > 0) {
      // A key of the back office's messages: AdminJS's login page translates it into the reader's language.
      throw new Error('tooManyRequests');
    }
    const outcome = await authenticate(address, typeof password === 'string' ? password : '');
    if (!outcome.ok || !mayEnterBackOffice(outcome.user.role)) {
      await limiter.failed(address, ip);
      return null;
    }
    await limiter.succeeded(address);
    if (context?.req.session) {
      const { req } = context;
      // A new session id at sign-in (no fixation); the user's id in the row lets endSessionsOf end it.
      await new Promise<void>((resolve, reject) =>
        req.session.regenerate((err: unknown) =>
          err ? reject(err instanceof Error ? err : new Error('session regenerate failed')) : resolve(),
        ),
      );
      req.session.userId = outcome.user.id;
    }
    return identityOf(outcome.user);
  };
}

function refuse(req: Request, res: Response, status: 401 | 403): void {
  if (status === 401 && !isApiRequest(req)) res.set('Cache-Control', 'no-store').redirect(302, `${ADMIN_ROOT}/login`);
  else answerInBackOffice(req, res, status, status === 401 ? 'signInAgain' : 'notForYourRole');
}

/** Reloads the signed-in account on every request: blocked, unverified or demoted accounts are signed out. */
export function refreshAdmin(): RequestHandler {
  return async (req, res, next) => {
    const current = req.session?.adminUser;
    if (!current) return next();
    const user = await findAccount(current.userId);
    if (!user || user.isBlocked || !user.emailVerifiedAt || !mayEnterBackOffice(user.role)) {
      await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
      return refuse(req, res, 401);
    }
    const fresh = identityOf(user);
    const changed = (['role', 'email', 'title', 'language'] as const).some((key) => fresh[key] !== current[key]);
    if (changed) req.session.adminUser = fresh;
    next();
  };
}

interface ResourceTarget {
  resourceId: string;
  action: string;
}

/** Which resource and action an AdminJS path addresses (its page and API routes alike). */
export function targetOf(path: string): ResourceTarget | 'invalid' | null {
  const parts = path.split('/').filter(Boolean);
  const offset = parts[0]?.toLowerCase() === 'api' ? 1 : 0;
  if (parts[offset]?.toLowerCase() !== 'resources') return null;
  let segments: string[];
  try {
    segments = parts.slice(offset + 1).map((part) => decodeURIComponent(part));
  } catch {
    return 'invalid';
  }
  const [resourceId, kind, first, second] = segments;
  if (!resourceId) return 'invalid';
  if (!kind) return { resourceId, action: 'list' };
  switch (kind.toLowerCase()) {
    case 'actions':
    case 'bulk':
      return first ? { resourceId, action: first } : 'invalid';
    case 'records':
      return second ? { resourceId, action: second } : 'invalid';
    case 'search':
      return { resourceId, action: 'search' };
    default:
      return 'invalid';
  }
}

/** Whether the signed-in admin may run the action on the resource (AdminJS's own `isAccessible`). */
export type ActionCheck = (admin: AdminIdentity, resourceId: string, action: string) => boolean;

/**
 * Refuses, before AdminJS runs anything (it runs `before` hooks ahead of its own access check and answers a
 * refusal with a 200), every resource route the signed-in role may not use, unknown ones included.
 */
export function resourceGate(allowed: ActionCheck): RequestHandler {
  return (req, res, next) => {
    const admin = req.session?.adminUser;
    if (!admin) return next(); // AdminJS sends the visitor to its login page
    const target = targetOf(req.path);
    if (target === null) return next();
    if (target === 'invalid' || !allowed(admin, target.resourceId, target.action)) return refuse(req, res, 403);
    next();
  };
}

/** Pages and API answers of the back office are never cached (they carry the signed-in admin). */
export function noStore(): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!/^\/frontend\/assets\//i.test(req.path)) res.set('Cache-Control', 'no-store');
    next();
  };
}
