// What comes back after a delivery (a bounce or a complaint, by SMTP or a provider's webhook), recorded against it:
// a hard bounce marks it `bounced`, a complaint `complained`, both with the diagnostic, and suppress the address
// for the mailing's owner; soft bounces are counted and suppress after `softLimit` in a row; a delay is noted only.
// Every door (the listener, the webhooks) calls recordFeedback, so the rule is in one place; a hard bounce or a
// complaint may pause its run when the run's rate passes its limit (feedback-rates.ts).
import type { Sequelize } from 'sequelize';
import type { SuppressionSource } from '../db/models/index.js';
import { pauseRunOverRates, type RateLimits } from './feedback-rates.js';
import { refreshRunCounters } from './runs.js';
import { execute, selectRows } from './sql.js';
import { countSoftBounce, suppressAddress } from './suppressions.js';

export type FeedbackKind = 'hard' | 'soft' | 'delayed' | 'complaint';

/** One report about one delivery, as a door understood it. */
export interface Feedback {
  deliveryId: number;
  kind: FeedbackKind;
  /** The status code (5.1.1) and diagnostic text, or the complaint's feedback type; kept on the delivery. */
  diagnostic: string;
  source: SuppressionSource;
  /** The address the report names; the delivery's own address when absent. */
  address?: string | null;
}

/** What recording a report did, for the door's log line. */
export type FeedbackResult = 'unknown_delivery' | 'marked' | 'counted' | 'noted';

interface DeliveryRow {
  id: number;
  run_id: number;
  email: string;
  owner_id: number;
}

/** Records one report; a delivery that does not exist (or was deleted with its mailing) is ignored. */
export async function recordFeedback(
  sequelize: Sequelize,
  feedback: Feedback,
  settings: { softLimit: number } & RateLimits,
): Promise<FeedbackResult> {
  const [delivery] = await selectRows<DeliveryRow>(
    sequelize,
    `SELECT d.id, d.run_id, d.email, m.owner_id FROM deliveries d
     JOIN mailing_runs r ON r.id = d.run_id JOIN mailings m ON m.id = r.mailing_id WHERE d.id = :id`,
    { id: feedback.deliveryId },
  );
  if (!delivery) return 'unknown_delivery';
  const ownerId = Number(delivery.owner_id);
  const diagnostic = `${feedback.source}: ${feedback.diagnostic}`.slice(0, 2000);
  const address = delivery.email;
  if (feedback.kind === 'hard' || feedback.kind === 'complaint') {
    const status = feedback.kind === 'hard' ? 'bounced' : 'complained';
    // A complaint outranks a bounce; a bounce never overwrites a complaint.
    const from =
      feedback.kind === 'hard' ? `('sent', 'unknown', 'failed')` : `('sent', 'unknown', 'failed', 'bounced')`;
    await execute(
      sequelize,
      `UPDATE deliveries SET status = :status, feedback = :diagnostic, updated_at = :now
       WHERE id = :id AND status IN ${from}`,
      { status, diagnostic, now: new Date(), id: delivery.id },
    );
    const reason = feedback.kind === 'hard' ? 'hard_bounce' : 'complaint';
    await suppressAddress(sequelize, {
      ownerId,
      address,
      reason,
      source: feedback.source,
      deliveryId: delivery.id,
      diagnostic,
    });
    await refreshRunCounters(sequelize, Number(delivery.run_id));
    await pauseRunOverRates(sequelize, Number(delivery.run_id), settings);
    return 'marked';
  }
  await execute(sequelize, `UPDATE deliveries SET feedback = :diagnostic, updated_at = :now WHERE id = :id`, {
    diagnostic,
    now: new Date(),
    id: delivery.id,
  });
  if (feedback.kind === 'delayed') return 'noted';
  const inARow = await countSoftBounce(sequelize, ownerId, address, delivery.id);
  if (inARow >= settings.softLimit)
    await suppressAddress(sequelize, {
      ownerId,
      address,
      reason: 'soft_bounces',
      source: feedback.source,
      deliveryId: delivery.id,
      diagnostic,
    });
  return 'counted';
}
