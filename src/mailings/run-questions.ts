// The questions the mailing page asks before a run's weighty actions, in the reader's language: how many clients
// "send now" goes to, how much history a delete takes, and the warning before retrying unknown deliveries.
import type { Request } from 'express';

/** "Send now"'s question: how many clients the run will go to (the mailing page's own count). */
export function sendQuestion(req: Request, count: number): string {
  return req.t('mailings.runs.confirmSendNow', { count });
}

/** A mailing's delete question says plainly how much of the report goes with it. */
export function deleteQuestion(req: Request, history: { runs: number; deliveries: number }): string {
  if (history.runs === 0) return req.t('mailings.confirmDelete');
  return req.t('mailings.runs.confirmDeleteHistory', {
    runs: req.t('mailings.runs.runCount', { count: history.runs }),
    deliveries: req.t('mailings.runs.deliveryCount', { count: history.deliveries }),
  });
}

/** Retrying unknown deliveries asks first, and warns that some clients may get a second copy. */
export function retryUnknownQuestion(req: Request, count?: number) {
  return {
    question:
      count === undefined
        ? req.t('mailings.runs.confirmRetryUnknown')
        : req.t('mailings.runs.confirmRetryUnknownCount', { count }),
    warning: req.t('mailings.runs.retryUnknownWarning'),
    confirmLabel: req.t('mailings.runAction.retry-unknown'),
  };
}
