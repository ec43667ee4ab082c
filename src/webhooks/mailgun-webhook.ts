// The Mailgun webhook (`POST /webhooks/mailgun`): a call is checked in order (its form, its signature under
// MAILGUN_WEBHOOK_SIGNING_KEY, its timestamp's age, its token not seen before), then a failed or complained
// event is recorded (provider-reports.ts). Replayed and stale calls get 406, which Mailgun documents as "do not
// retry"; a token whose recording failed is given back, so that Mailgun's retry is let in.
import type { Sequelize } from 'sequelize';
import type { BounceSettings } from '../bounce-config.js';
import { checkMailgunSignature, MAILGUN_MAX_AGE_SECONDS, parseMailgunCall, readMailgunEvent } from './mailgun-event.js';
import { recordProviderReport } from './provider-reports.js';
import { refused, taken, type WebhookAnswer } from './webhook-answer.js';
import { releaseWebhookToken, takeWebhookToken } from './webhook-tokens.js';

/** Tokens are kept twice as long as a timestamp is accepted, clock skew included. */
const TOKEN_KEEP_MS = 2 * (MAILGUN_MAX_AGE_SECONDS + 60) * 1000;

/** Answers one call to the Mailgun webhook (which exists only with a signing key configured). */
export async function handleMailgunCall(
  sequelize: Sequelize,
  body: string,
  settings: BounceSettings & { mailgunSigningKey: string },
  now = new Date(),
): Promise<WebhookAnswer> {
  const call = parseMailgunCall(body);
  if (!call) return refused(400, 'malformed');
  const verdict = checkMailgunSignature(call.signature, settings.mailgunSigningKey, now);
  if (verdict === 'bad_signature') return refused(403, verdict);
  if (verdict === 'stale') return refused(406, verdict, { timestamp: call.signature.timestamp });
  const { token } = call.signature;
  if (!(await takeWebhookToken(sequelize, 'mailgun', token, TOKEN_KEEP_MS, now))) return refused(406, 'replayed');
  const reading = readMailgunEvent(call.eventData);
  if (reading.kind === 'malformed') return refused(400, 'malformed_event');
  if (reading.kind === 'unknown') return refused(400, 'unknown_event', { event: reading.event.slice(0, 60) });
  if (reading.kind === 'ignored') return taken('ignored', { event: reading.event });
  try {
    const outcome = await recordProviderReport(sequelize, reading.report, 'mailgun', settings);
    return taken('recorded', { event: reading.event, outcome });
  } catch (err) {
    await releaseWebhookToken(sequelize, 'mailgun', token).catch(() => undefined);
    throw err;
  }
}
