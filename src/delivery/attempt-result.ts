// What the log says after one attempt: sent, failed, unknown, or pending again after a backoff (the run pass's rule).
import type { Config } from '../config.js';
import type { AttemptResult, ClaimedDelivery } from './claims.js';
import type { Outcome } from './smtp-outcome.js';

/** Exponential backoff: base, 2×base, 4×base… after the 1st, 2nd, 3rd attempt. */
export function backoffDelayMs(baseMs: number, attempt: number): number {
  return baseMs * 2 ** Math.max(0, attempt - 1);
}

/**
 * What the log says after an attempt: sent, failed, unknown, or pending again after a backoff. An attempt
 * that does not count (a failure during an outage, a deferral) never ends a delivery and waits for no backoff of
 * its own; `notBefore` (its group's wait after a deferral) holds a retry back further.
 */
export function attemptResult(
  delivery: Pick<ClaimedDelivery, 'id' | 'attempt'>,
  outcome: Outcome,
  attemptedAt: Date,
  counted: boolean,
  settings: Pick<Config['delivery'], 'maxAttempts' | 'backoffBaseMs'>,
  notBefore: Date | null = null,
): AttemptResult {
  const final = outcome.kind !== 'temporary' || (counted && delivery.attempt >= settings.maxAttempts);
  const status = { accepted: 'sent', permanent: 'failed', unknown: 'unknown', temporary: 'failed' } as const;
  const ownWait = counted ? Date.now() + backoffDelayMs(settings.backoffBaseMs, delivery.attempt) : 0;
  const retryAt = Math.max(ownWait, notBefore?.getTime() ?? 0);
  return {
    deliveryId: delivery.id,
    attemptedAt,
    status: final ? status[outcome.kind] : 'pending',
    reply: outcome.reply,
    errorClass: outcome.errorClass,
    messageId: outcome.kind === 'accepted' ? (outcome.messageId ?? null) : null,
    nextAttemptAt: final || retryAt === 0 ? null : new Date(retryAt),
    counted,
  };
}
