// express-session's store over our `sessions` table: it keeps the user's id in its own column, so a blocked
// user's sessions end with one delete, and an expired session is never handed out even before it is pruned.
import session from 'express-session';
import { Op } from 'sequelize';
import { Session } from '../db/models/index.js';

type Callback<T = void> = (err?: unknown, value?: T) => void;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Stores sessions as JSON rows keyed by the session id. */
export class DatabaseSessionStore extends session.Store {
  /** Reads a live session; expired rows count as absent. */
  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    Session.findOne({ where: { sid, expires: { [Op.gt]: new Date() } } })
      .then((row) => callback(undefined, row ? (JSON.parse(row.data) as session.SessionData) : null))
      .catch((err: unknown) => callback(err));
  }

  /** Writes (inserts or replaces) a session with its owner's id. */
  override set(sid: string, data: session.SessionData, callback?: Callback): void {
    Session.upsert({ sid, data: JSON.stringify(data), expires: expiryOf(data), userId: data.userId ?? null })
      .then(() => callback?.())
      .catch((err: unknown) => callback?.(err));
  }

  /** Extends a session's life on activity without rewriting its data. */
  override touch(sid: string, data: session.SessionData, callback?: Callback): void {
    Session.update({ expires: expiryOf(data) }, { where: { sid } })
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

function expiryOf(data: session.SessionData): Date {
  const expires = data.cookie?.expires;
  return expires ? new Date(expires) : new Date(Date.now() + DAY_MS);
}

/** Ends every session of a user at once (blocking, password reset), or all but the one in use. */
export async function endSessionsOf(userId: number, exceptSid?: string): Promise<void> {
  await Session.destroy({ where: { userId, ...(exceptSid ? { sid: { [Op.ne]: exceptSid } } : {}) } });
}

/** Deletes expired sessions; the scheduler's housekeeping calls it. */
export async function pruneExpiredSessions(now = new Date()): Promise<number> {
  return Session.destroy({ where: { expires: { [Op.lte]: now } } });
}
