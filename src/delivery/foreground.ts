// Working on one run in the foreground until it ends, as `mailer send` does: through retry backoffs, a dead
// worker's leases, and outage pauses, which it waits out.
import { MailingRun } from '../db/models/index.js';
import { AppError } from '../errors.js';
import { resumeRun } from './runs.js';
import type { RunProgress, RunWorker } from './run-worker.js';

export interface ForegroundOptions {
  /** Gives up waiting (returns the last progress) when the next wait would pass this instant. */
  deadline?: number;
  /** Waits out a pause that has a `resume_at` (an outage) and resumes the run then, instead of returning. */
  waitOutPauses?: boolean;
  /** Told about each pause that is waited out. */
  onPause?: (run: MailingRun) => void;
}

/** Sleeps until the instant, waking early when the worker is stopped. */
async function sleepUntil(worker: RunWorker, at: number): Promise<void> {
  while (!worker.isStopping && Date.now() < at)
    await new Promise((resolve) => setTimeout(resolve, Math.min(250, Math.max(1, at - Date.now()))));
}

/**
 * Works on a run until it ends (finished, cancelled, stopped, held for a blocked owner, or paused by a
 * person), sleeping through retry backoffs and other workers' leases (reaped when they expire), and
 * through outage pauses when asked to.
 */
export async function workUntilEnded(
  worker: RunWorker,
  runId: number,
  options: ForegroundOptions = {},
): Promise<RunProgress> {
  const deadline = options.deadline ?? Infinity;
  for (;;) {
    const progress = await worker.processRun(runId);
    if (worker.isStopping) return progress;
    let wakeAt: number;
    if (progress.state === 'waiting') wakeAt = Math.max(Date.now() + 20, progress.wakeAt.getTime());
    else if (progress.state === 'paused' && options.waitOutPauses) {
      const run = await MailingRun.findByPk(runId);
      if (!run || run.state !== 'paused' || !run.resumeAt) return progress;
      options.onPause?.(run);
      wakeAt = run.resumeAt.getTime();
    } else return progress;
    if (wakeAt > deadline) return progress;
    await sleepUntil(worker, wakeAt);
    if (progress.state === 'paused' && !worker.isStopping) {
      // Another process (a scheduler) may have resumed it first, or a person changed it: both are fine.
      await resumeRun(runId).catch((err: unknown) => {
        if (!(err instanceof AppError)) throw err;
      });
    }
  }
}
