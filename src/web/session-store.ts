// express-session's store over our `sessions` table: it keeps the user's id in its own column, so a blocked
// user's sessions end with one delete, and an expired session is never handed out even before it is pruned.
import session, { type SessionOptions } from 'express-session';
import type { RequestHandler } from 'express';
import type { Config } from '../config.js';
import { QueryTypes } from 'sequelize';
import { boundDatabase, Session, User } from '../db/models/index.js';
import { columnOf, columnsOf, instanceFrom } from '../db/raw-rows.js';
import { handOverSessionUser } from './session-user.js';

type Callback<T = void> = (err?: unknown, value?: T) => void;
const DAY_MS = 24 * 60 * 60 * 1000;
// express-session's `rolling` signs and sets the cookie on every answer and touches the row on every request; a
// session lives days, so its expiry (row and cookie together) moves forward at most once a minute instead.
export const ROLL_INTERVAL_MS = 60 * 1000;

declare module 'express-session' {
  interface SessionData {
    /** When the session's expiry was last moved forward (ms since the epoch). */
    rolledAt?: number;
  }
}

type Row = Record<string, unknown>;
let sessionWithUserSql: string | undefined;

// Written once (the models are bound by then): the session's data and owner, and the owner's row, in one statement.
function sessionWithUser(): string {
  const column = (attribute: string): string => `s."${columnOf(Session, attribute)}"`;
  return (sessionWithUserSql ??=
    `SELECT ${column('data')} AS "data", ${column('userId')} AS "userId", ${columnsOf(User, 'u', 'user.')}` +
    ` FROM "${Session.getTableName() as string}" s LEFT JOIN "${User.getTableName() as string}" u ON u."id" = ${column('userId')}` +
    ` WHERE ${column('sid')} = ? AND ${column('expires')} > ?`);
}

/**
 * Stores sessions as JSON rows keyed by the session id. It has no `touch`: an unchanged session is not written at
 * all (a plain GET writes nothing, which on SQLite would queue every page behind the one writer); `rollSession`
 * changes it once a minute instead, and that save moves the row's expiry and the cookie's.
 */
export class DatabaseSessionStore extends session.Store {
  /** Reads a live session and, in the same query, its user (handed to loadCurrentUser); expired rows are absent. */
  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    boundDatabase()
      .query<Row>(sessionWithUser(), { type: QueryTypes.SELECT, replacements: [sid, new Date()] })
      .then(([row]) => {
        if (row?.userId) handOverSessionUser(sid, instanceFrom(User, row, 'user.'));
        callback(undefined, row ? (JSON.parse(String(row.data)) as session.SessionData) : null);
      })
      .catch((err: unknown) => callback(err));
  }

  /** Writes (inserts or replaces) a session with its owner's id. */
  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    Session.upsert({ sid, data: JSON.stringify(data), expires: expiryOf(data), userId: data.userId ?? null })
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }

  /** Ends one session (logout). */
  override destroy(sid: string, callback?: Callback): void {
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
 * The one way a session cookie is made over our session table: HTTP-only, same-site, secure in production;
 * rolled by `rollSession` (mount it right after the session middleware). The site and the back office differ only
 * in the cookie's name, path and life.
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
    rolling: false,
    cookie: {
      path: cookie.path ?? '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: config.isProduction,
      maxAge: cookie.maxAgeMs,
    },
  };
}

/**
 * Moves a stored session's expiry forward when a minute has passed since the last time: the session is marked
 * changed, so express-session saves it (the row's expiry) and sends the cookie again with its new expiry. A new,
 * empty session is left alone (it is not stored until something is put in it).
 */
export function rollSession(): RequestHandler {
  return (req, _res, next) => {
    const current = req.session;
    if (current && Object.keys(current).some((key) => key !== 'cookie')) {
      const now = Date.now();
      if (!(now - (current.rolledAt ?? 0) < ROLL_INTERVAL_MS)) current.rolledAt = now;
    }
    next();
  };
}
