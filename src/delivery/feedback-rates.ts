// A run that bounces or draws complaints past what mailbox providers tolerate pauses itself, as an outage pauses
// it (runs.ts pauseRun's state and kind, `bounce_rate` / `complaint_rate`), but without a time to resume: a person
// looks at the list and resumes or cancels. Checked where feedback is recorded (feedback.ts), so the bounce
// listener and every webhook pause alike. A run is paused for each rate once: one a person resumed goes on.
import type { Sequelize } from 'sequelize';
import type { BounceSettings } from '../bounce-config.js';
import { deliveryEvents } from './events.js';
import type { RunHaltKind } from './outcome-classes.js';
import { selectRows } from './sql.js';

/** The thresholds (config.bounces: BOUNCE_PAUSE_RATE, COMPLAINT_PAUSE_RATE and their minimum deliveries). */
export type RateLimits = Pick<
  BounceSettings,
  'pauseBounceRate' | 'minSample' | 'pauseComplaintRate' | 'complaintMinSample'
>;

/** A run's delivered messages (sent, bounced or complained about afterwards) and the bad news among them. */
export interface RunFeedbackCounts {
  delivered: number;
  bounced: number;
  complained: number;
}

/** A rate the run is past, worst first (complaints hurt a sender more), or null; `already` are kinds paused for. */
export function rateOverLimit(
  counts: RunFeedbackCounts,
  limits: RateLimits,
  already: ReadonlySet<RunHaltKind> = new Set(),
): RunHaltKind | null {
  const past = (count: number, rate: number, sample: number) =>
    counts.delivered >= sample && counts.delivered > 0 && count / counts.delivered > rate;
  if (!already.has('complaint_rate') && past(counts.complained, limits.pauseComplaintRate, limits.complaintMinSample))
    return 'complaint_rate';
  if (!already.has('bounce_rate') && past(counts.bounced, limits.pauseBounceRate, limits.minSample))
    return 'bounce_rate';
  return null;
}

/** A rate as people read it: 5.2%. */
export function percent(count: number, of: number): string {
  return of > 0 ? `${((count / of) * 100).toFixed(1)}%` : '0%';
}

interface RunRates {
  sent_count: number | string;
  bounced_count: number | string;
  complained_count: number | string;
  bounce_paused_at: unknown;
  complaint_paused_at: unknown;
}

const MARK: Record<'bounce_rate' | 'complaint_rate', string> = {
  bounce_rate: 'bounce_paused_at',
  complaint_rate: 'complaint_paused_at',
};

/**
 * Pauses the run when one of its rates passed its limit (after refreshRunCounters counted the report). Only a run
 * that is sending or waiting out an outage (which would resume by itself) is paused; one a person paused stays as
 * it is, and is checked again at the next report after they resume it. Returns the kind it paused for.
 */
export async function pauseRunOverRates(
  sequelize: Sequelize,
  runId: number,
  limits: RateLimits,
): Promise<RunHaltKind | null> {
  const [run] = await selectRows<RunRates>(
    sequelize,
    `SELECT sent_count, bounced_count, complained_count, bounce_paused_at, complaint_paused_at
     FROM mailing_runs WHERE id = :runId`,
    { runId },
  );
  if (!run) return null;
  const counts = {
    delivered: Number(run.sent_count),
    bounced: Number(run.bounced_count),
    complained: Number(run.complained_count),
  };
  const already = new Set<RunHaltKind>();
  if (run.bounce_paused_at) already.add('bounce_rate');
  if (run.complaint_paused_at) already.add('complaint_rate');
  const kind = rateOverLimit(counts, limits, already);
  if (kind !== 'bounce_rate' && kind !== 'complaint_rate') return null;
  const [count, limit, words] =
    kind === 'bounce_rate'
      ? [counts.bounced, limits.pauseBounceRate, 'Hard-bounce rate']
      : [counts.complained, limits.pauseComplaintRate, 'Complaint rate'];
  const reason = `${words} ${percent(count, counts.delivered)} (${count} of ${counts.delivered} delivered) passed ${percent(limit, 1)}`;
  const changed = await selectRows<{ id: number }>(
    sequelize,
    `UPDATE mailing_runs SET state = 'paused', paused_kind = :kind, paused_reason = :reason, resume_at = NULL,
       ${MARK[kind]} = :now, updated_at = :now
     WHERE id = :runId AND ${MARK[kind]} IS NULL
       AND (state = 'running' OR (state = 'paused' AND paused_kind = 'smtp_unavailable'))
     RETURNING id`,
    { runId, kind, reason, now: new Date() },
  );
  if (changed.length === 0) return null;
  deliveryEvents.emit('run-halted', runId);
  return kind;
}
