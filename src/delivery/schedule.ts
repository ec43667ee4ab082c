// Schedule math: when a mailing's runs fall, computed in its own time zone, stored as UTC instants.
import { DateTime, type DurationLike } from 'luxon';
import type { Periodicity } from '../db/models/index.js';

export interface Schedule {
  startAt: Date;
  endAt: Date;
  periodicity: Periodicity;
  timeZone: string;
}

const STEP: Record<Exclude<Periodicity, 'once'>, (n: number) => DurationLike> = {
  daily: (n) => ({ days: n }),
  weekly: (n) => ({ weeks: n }),
  monthly: (n) => ({ months: n }),
};

const APPROXIMATE_PERIOD_MS: Record<Exclude<Periodicity, 'once'>, number> = {
  daily: 86_400_000,
  weekly: 7 * 86_400_000,
  monthly: 28 * 86_400_000,
};

/**
 * The n-th run time (n = 0 is the start), or null when it is not before the end. Each one is counted
 * from the start in local time, so 09:00 stays 09:00 across DST and Jan 31 → Feb 28 → Mar 31.
 */
export function occurrence(schedule: Schedule, n: number): Date | null {
  if (n < 0 || (schedule.periodicity === 'once' && n > 0)) return null;
  const at =
    schedule.periodicity === 'once' || n === 0
      ? schedule.startAt
      : DateTime.fromJSDate(schedule.startAt, { zone: schedule.timeZone })
          .plus(STEP[schedule.periodicity](n))
          .toJSDate();
  return at.getTime() < schedule.endAt.getTime() ? at : null;
}

/** The index of the last occurrence at or before the instant, or -1 when the instant is before the start. */
function lastIndexAtOrBefore(schedule: Schedule, instant: Date): number {
  if (instant.getTime() < schedule.startAt.getTime()) return -1;
  if (schedule.periodicity === 'once') return 0;
  // Estimate from the average period, then walk: the estimate can only be low (periods are at least this long).
  let n = Math.max(
    0,
    Math.floor((instant.getTime() - schedule.startAt.getTime()) / APPROXIMATE_PERIOD_MS[schedule.periodicity]) - 1,
  );
  const local = DateTime.fromJSDate(schedule.startAt, { zone: schedule.timeZone });
  const at = (i: number): number => local.plus(STEP[schedule.periodicity as 'daily'](i)).toMillis();
  while (at(n + 1) <= instant.getTime()) n += 1;
  while (n > 0 && at(n) > instant.getTime()) n -= 1;
  return n;
}

/** The latest run time at or before `now` that is inside the window, or null. */
export function latestOccurrenceAtOrBefore(schedule: Schedule, now: Date): Date | null {
  const n = lastIndexAtOrBefore(schedule, now);
  if (n < 0) return null;
  for (let i = n; i >= 0; i -= 1) {
    const at = occurrence(schedule, i);
    if (at) return at;
  }
  return null;
}

/** The first run time strictly after `instant` that is inside the window, or null. */
export function firstOccurrenceAfter(schedule: Schedule, instant: Date): Date | null {
  const n = lastIndexAtOrBefore(schedule, instant);
  return occurrence(schedule, n + 1);
}

/**
 * When the mailing's next run is due. A missed run (the service was down, or the mailing was created
 * inside its window) is due at once as the latest missed occurrence; older missed ones are skipped so
 * a digest is not sent several times in a row; nothing is due once the window has ended. Null when no
 * run is left.
 */
export function nextRunAt(schedule: Schedule, lastRunScheduledAt: Date | null, now: Date): Date | null {
  if (now.getTime() >= schedule.endAt.getTime()) return null;
  const latest = latestOccurrenceAtOrBefore(schedule, now);
  if (latest && (!lastRunScheduledAt || latest.getTime() > lastRunScheduledAt.getTime())) return latest;
  const after = lastRunScheduledAt && lastRunScheduledAt.getTime() > now.getTime() ? lastRunScheduledAt : now;
  return firstOccurrenceAfter(schedule, after);
}
