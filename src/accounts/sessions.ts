// Session rules of accounts: a user's sessions end together (blocking, a new password), and expired ones are
// deleted by the housekeeping job. The HTTP side (express-session's store) is src/web/session-store.ts.
import { Op } from 'sequelize';
import { Session } from '../db/models/index.js';

/** Ends every session of a user at once (blocking, password reset), or all but the one in use. */
export async function endSessionsOf(userId: number, exceptSid?: string): Promise<void> {
  await Session.destroy({ where: { userId, ...(exceptSid ? { sid: { [Op.ne]: exceptSid } } : {}) } });
}

/** Deletes expired sessions; the scheduler's housekeeping calls it. */
export async function pruneExpiredSessions(now = new Date()): Promise<number> {
  return Session.destroy({ where: { expires: { [Op.lte]: now } } });
}
