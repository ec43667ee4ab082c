// What the mailing page shows about its runs beyond their rows: what a retry would take, the retries a run under
// way waits for, and the history a delete would take with it. The mailing is one the viewer may see
// (mailings.service.ts viewMailing / findMailing); the rules themselves are the engine's (delivery/runs.ts).
import { Delivery, MailingRun, type Mailing } from '../db/models/index.js';
import { ACTIVE_RUN_STATES, retryableCounts, waitingRetries, type RetryChoice } from '../delivery/runs.js';

/** What a retry of each kind would take from each run (the run buttons offer only what it would take). */
export function retryableOf(
  runs: readonly (MailingRun | null | undefined)[],
): Promise<Map<number, Record<RetryChoice, number>>> {
  const ids = runs.flatMap((run) => (run ? [run.id] : []));
  return retryableCounts([...new Set(ids)]);
}

/** The retries a run under way is waiting for (how many, and the first one's time); none when no run is on. */
export function retriesWaitingIn(run: MailingRun | null): Promise<{ count: number; nextAt: Date | null }> {
  if (!run) return Promise.resolve({ count: 0, nextAt: null });
  return waitingRetries(run.sequelize, run.id);
}

/** The history that goes with a mailing when it is deleted, for its delete confirmation to say so. */
export async function historyOf(mailing: Mailing): Promise<{ runs: number; deliveries: number }> {
  const runs = await MailingRun.count({ where: { mailingId: mailing.id } });
  const deliveries = await Delivery.count({
    include: [{ model: MailingRun, as: 'run', attributes: [], where: { mailingId: mailing.id }, required: true }],
  });
  return { runs, deliveries };
}

/**
 * The run a mailing's page follows: the active run, else one the history (read beside it) still saw under way. A
 * run may end between the two reads; followed, its next poll sees it ended and reloads the page, where otherwise
 * the page would show it under way and never ask again.
 */
export function followedRun<T extends Pick<MailingRun, 'state'>>(active: T | null, history: readonly T[]): T | null {
  return active ?? history.find((run) => ACTIVE_RUN_STATES.includes(run.state)) ?? null;
}
