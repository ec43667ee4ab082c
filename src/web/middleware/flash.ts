// One-time notices after an action ("Client saved"), kept in the session until the next page shows them.
import type { Request, RequestHandler } from 'express';

export type FlashKind = 'success' | 'info' | 'warning' | 'danger';
export interface Flash {
  kind: FlashKind;
  text: string;
}

declare module 'express-session' {
  interface SessionData {
    flash?: Flash[];
  }
}

/** Queues a notice for the next page the user sees. */
export function flash(req: Request, kind: FlashKind, text: string): void {
  req.session.flash = [...(req.session.flash ?? []), { kind, text }];
}

/** Lets the layout take the queued notices (fragments never call it, so they never swallow one). */
export function exposeFlash(): RequestHandler {
  return (req, res, next) => {
    res.locals.takeFlash = (): Flash[] => {
      const messages = req.session?.flash ?? [];
      if (messages.length > 0) delete req.session.flash;
      return messages;
    };
    next();
  };
}
