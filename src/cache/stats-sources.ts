// The home page statistics count mailings, their status and the clients they go to; these model hooks say
// "stats-changed" after any write to those tables commits, whichever door (site, back office, scheduler) wrote.
import type { Transaction } from 'sequelize';
import { Client, Mailing, MailingClient } from '../db/models/index.js';
import { siteEvents } from './site-events.js';

let watching = false;

function announceAfterCommit(options: { transaction?: Transaction | null } | undefined): void {
  const transaction = options?.transaction;
  if (transaction) transaction.afterCommit(() => void siteEvents.emit('stats-changed'));
  else siteEvents.emit('stats-changed');
}

/** Attaches the hooks once per process (the models are process-wide). */
export function watchStatsSources(): void {
  if (watching) return;
  watching = true;
  for (const model of [Mailing, Client, MailingClient] as const) {
    const hooks = model as unknown as {
      addHook(name: string, fn: (...args: unknown[]) => void): void;
    };
    hooks.addHook('afterSave', (_instance, options) => announceAfterCommit(options as { transaction?: Transaction }));
    hooks.addHook('afterDestroy', (_instance, options) =>
      announceAfterCommit(options as { transaction?: Transaction }),
    );
    hooks.addHook('afterBulkCreate', (_instances, options) =>
      announceAfterCommit(options as { transaction?: Transaction }),
    );
    hooks.addHook('afterBulkUpdate', (options) => announceAfterCommit(options as { transaction?: Transaction }));
    hooks.addHook('afterBulkDestroy', (options) => announceAfterCommit(options as { transaction?: Transaction }));
  }
}
