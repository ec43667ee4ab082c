// A Mailgun webhook call ("Securing Webhooks", "Webhook Payloads"): JSON with `signature` (timestamp, a one-time
// token, and the hex HMAC-SHA256 of timestamp + token under the webhook signing key) and `event-data`. A `failed`
// event is a bounce (severity permanent: hard, unless its status is mailbox full, the DSN rule; temporary: soft),
// `complained` a complaint; Mailgun's other events are known and ignored.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { kindOfStatus, statusCodeIn } from '../bounces/report-parser.js';
import type { ProviderReport } from './provider-reports.js';

/** How old (or, for a clock ahead of ours, how new) a call's timestamp may be, in seconds. */
export const MAILGUN_MAX_AGE_SECONDS = 300;
const MAILGUN_CLOCK_SKEW_SECONDS = 60;

const signatureSchema = z.object({
  timestamp: z.union([z.string().regex(/^\d{1,12}$/), z.number().int().nonnegative()]).transform(Number),
  token: z.string().min(10).max(200),
  signature: z.string().regex(/^[0-9a-f]{64}$/i),
});

/** The signature block of a call. */
export type MailgunSignature = z.infer<typeof signatureSchema>;

const text = (max: number) => z.string().max(max).nullish();

const eventSchema = z.object({
  event: z.string().min(1).max(60),
  severity: text(40),
  reason: text(200),
  recipient: text(320),
  envelope: z.object({ sender: text(320) }).nullish(),
  message: z.object({ headers: z.object({ 'message-id': text(1000) }).nullish() }).nullish(),
  'delivery-status': z
    .object({
      code: z.union([z.number(), z.string().max(10)]).nullish(),
      message: text(5000),
      description: text(5000),
      'enhanced-code': text(20),
    })
    .nullish(),
});

type MailgunEvent = z.infer<typeof eventSchema>;

/** The parts of a call's body, or null when it is no Mailgun call (no JSON, no signature block). */
export function parseMailgunCall(body: string): { signature: MailgunSignature; eventData: unknown } | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  if (!json || typeof json !== 'object') return null;
  const signature = signatureSchema.safeParse((json as Record<string, unknown>).signature);
  return signature.success
    ? { signature: signature.data, eventData: (json as Record<string, unknown>)['event-data'] }
    : null;
}

/** Checks a call's signature with the signing key (in constant time) and that its timestamp is recent. */
export function checkMailgunSignature(
  signature: MailgunSignature,
  signingKey: string,
  now = new Date(),
): 'ok' | 'bad_signature' | 'stale' {
  const expected = createHmac('sha256', signingKey).update(`${signature.timestamp}${signature.token}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature.signature, 'hex'))) return 'bad_signature';
  const age = now.getTime() / 1000 - signature.timestamp;
  return age > MAILGUN_MAX_AGE_SECONDS || age < -MAILGUN_CLOCK_SKEW_SECONDS ? 'stale' : 'ok';
}

/** Mailgun's events that say nothing this product records. */
const IGNORED = new Set([
  'accepted',
  'rejected',
  'delivered',
  'opened',
  'clicked',
  'unsubscribed',
  'stored',
  'list_member_uploaded',
  'list_member_upload_error',
  'list_uploaded',
]);

/** What an event said: a report to record, an event with nothing to record, or something not Mailgun's. */
export type MailgunReading =
  | { kind: 'report'; event: string; report: ProviderReport }
  | { kind: 'ignored'; event: string }
  | { kind: 'malformed' }
  | { kind: 'unknown'; event: string };

function failureOf(event: MailgunEvent): Pick<ProviderReport, 'kind' | 'diagnostic'> | null {
  const status = event['delivery-status'];
  const said = [status?.message, status?.description].filter(Boolean).join(' ');
  const code = status?.['enhanced-code'] || statusCodeIn(said);
  const diagnostic = [code, status?.code, said].filter(Boolean).join(' ') || event.reason || 'failed';
  if (event.severity === 'temporary') return { kind: 'soft', diagnostic };
  if (event.severity !== 'permanent') return null;
  return { kind: kindOfStatus(code || '5.0.0', 'failed') ?? 'hard', diagnostic };
}

/** Reads a call's `event-data` (once its signature is checked). */
export function readMailgunEvent(eventData: unknown): MailgunReading {
  const parsed = eventSchema.safeParse(eventData);
  if (!parsed.success) return { kind: 'malformed' };
  const event = parsed.data;
  if (IGNORED.has(event.event)) return { kind: 'ignored', event: event.event };
  if (event.event !== 'failed' && event.event !== 'complained') return { kind: 'unknown', event: event.event };
  const outcome =
    event.event === 'complained' ? { kind: 'complaint' as const, diagnostic: 'complaint' } : failureOf(event);
  if (!outcome || !event.recipient) return { kind: 'malformed' };
  const report: ProviderReport = {
    ...outcome,
    recipient: event.recipient,
    envelopeSender: event.envelope?.sender ?? null,
    messageId: event.message?.headers?.['message-id'] ?? null,
  };
  return { kind: 'report', event: event.event, report };
}
