// express-session's store over our `sessions` table: it keeps the user's id in its own column, so a blocked
// user's sessions end with one delete, and an expired session is never handed out even before it is pruned.
import session, { type SessionOptions } from 'express-session';
import type { Config } from '../config.js';
import { Op } from 'sequelize';
import { Session, User } from '../db/models/index.js';
import { handOverSessionUser } from './session-user.js';

type Callback<T = void> = (err?: unknown, value?: T) => void;
const DAY_MS = 24 * 60 * 60 * 1000;
// express-session touches the session on every request; a 14-day session need not be extended more often.
const TOUCH_INTERVAL_MS = 5 * 60 * 1000;
const MAX_REMEMBERED_TOUCHES = 50_000;

/** Stores sessions as JSON rows keyed by the session id. */
export class DatabaseSessionStore extends session.Store {
  private readonly touchedAt = new Map<string, number>();

  private remember(sid: string): void {
    if (this.touchedAt.size >= MAX_REMEMBERED_TOUCHES) this.touchedAt.clear();
    this.touchedAt.set(sid, Date.now());
  }

  /** Reads a live session and, in the same query, its user (handed to loadCurrentUser); expired rows are absent. */
  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    Session.findOne({
      where: { sid, expires: { [Op.gt]: new Date() } },
      include: [{ model: User, as: 'user', required: false }],
    })
      .then((row) => {
        if (row?.userId) handOverSessionUser(sid, row.user ?? null);
        callback(undefined, row ? (JSON.parse(row.data) as session.SessionData) : null);
      })
      .catch((err: unknown) => callback(err));
  }

  /** Writes (inserts or replaces) a session with its owner's id. */
  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    this.remember(sid);
    Session.upsert({ sid, data: JSON.stringify(data), expires: expiryOf(data), userId: data.userId ?? null })
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }

  /** Extends a session's life on activity without rewriting its data (at most every few minutes per session). */
  override touch(sid: string, data: session.SessionData, callback?: Callback): void {
    const last = this.touchedAt.get(sid);
    if (last !== undefined && Date.now() - last < TOUCH_INTERVAL_MS) return void callback?.();
    this.remember(sid);
    Session.update({ expires: expiryOf(data) }, { where: { sid } })
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }

  /** Ends one session (logout). */
  override destroy(sid: string, callback?: Callback): void {
    this.touchedAt.delete(sid);
    Session.destroy({ where: { sid } })
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }
}

/**
 * How long the row of a session nobody has signed in to lives: a visitor who only opened the login page (its
 * CSRF token is kept in the session) leaves a row that the hourly prune deletes soon, not one for 14 days.
 */
export const ANONYMOUS_SESSION_MS = 2 * 60 * 60 * 1000;

function expiryOf(data: session.SessionData): Date {
  const expires = data.cookie?.expires ? new Date(data.cookie.expires) : new Date(Date.now() + DAY_MS);
  if (typeof data.userId === 'number') return expires;
  return new Date(Math.min(expires.getTime(), Date.now() + ANONYMOUS_SESSION_MS));
}

/** The site's session cookie (the back office has its own, on /admin). */
export const SITE_COOKIE = 'mailer.sid';

/**
 * The one way a session cookie is made over our session table: HTTP-only, same-site, secure in production,
 * rolling. The site and the back office differ only in the cookie's name, path and life.
 */
export function sessionOptions(
  config: Pick<Config, 'sessionSecret' | 'isProduction'>,
  cookie: { name: string; path?: string; maxAgeMs: number },
): SessionOptions {
  return {
    name: cookie.name,
    secret: config.sessionSecret,
    store: new DatabaseSessionStore(),
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      path: cookie.path ?? '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: config.isProduction,
      maxAge: cookie.maxAgeMs,
    },
  };
}
