// The web's short-lived rows are refused on read at once (expired sessions) or stop counting (mail-form and login
// limits older than an hour); this hourly job deletes them so the tables stay small.
import schedule from 'node-schedule';
import type { Sequelize } from 'sequelize';
import { pruneMailFormLimits } from './mail-throttle.js';
import { pruneRateLimits } from '../limits/shared-counter.js';
import type { Logger } from '../logger.js';
import { pruneExpiredSessions } from './sessions.js';

/** Starts the hourly prune inside `serve`; returns its stop function. */
export function startSessionPruning(logger: Logger, sequelize: Sequelize): () => void {
  const prune = (): void => {
    pruneExpiredSessions().then(
      (count) => count > 0 && logger.info({ count }, 'expired sessions deleted'),
      (err: unknown) => logger.warn({ err }, 'could not delete expired sessions'),
    );
    pruneMailFormLimits(sequelize).catch((err: unknown) =>
      logger.warn({ err }, 'could not delete old mail-form limits'),
    );
    pruneRateLimits(sequelize).catch((err: unknown) => logger.warn({ err }, 'could not delete old login limits'));
  };
  prune();
  const job = schedule.scheduleJob('17 * * * *', prune);
  return () => job.cancel();
}
