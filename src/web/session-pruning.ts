// Expired sessions are refused on read at once; this hourly job deletes their rows so the table stays small.
import schedule from 'node-schedule';
import type { Logger } from '../logger.js';
import { pruneExpiredSessions } from './session-store.js';

/** Starts the hourly prune inside `serve`; returns its stop function. */
export function startSessionPruning(logger: Logger): () => void {
  const prune = (): void => {
    pruneExpiredSessions().then(
      (count) => count > 0 && logger.info({ count }, 'expired sessions deleted'),
      (err: unknown) => logger.warn({ err }, 'could not delete expired sessions'),
    );
  };
  prune();
  const job = schedule.scheduleJob('17 * * * *', prune);
  return () => job.cancel();
}
