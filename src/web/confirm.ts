// Confirming a destructive action with and without JavaScript: htmx asks with a dialog (hx-confirm) and sends
// `confirm=1`; a plain form post without it gets a page that asks the same question first.
import type { Request, Response } from 'express';

/** What the confirmation asks; the button says "Delete" unless `confirmLabel` names another action. */
export interface ConfirmQuestion {
  question: string;
  back: string;
  /** A warning under the question (what may go wrong). */
  warning?: string;
  confirmLabel?: string;
}

/** True when the request carries the confirmation; otherwise renders the question and returns false. */
export function confirmedOrAsk(req: Request, res: Response, ask: ConfirmQuestion): boolean {
  const body = req.body as Record<string, unknown> | undefined;
  if (body?.confirm === '1') return true;
  res.render('partials/confirm', {
    title: ask.question,
    question: ask.question,
    warning: ask.warning,
    confirmLabel: ask.confirmLabel,
    action: req.originalUrl,
    back: ask.back,
  });
  return false;
}
