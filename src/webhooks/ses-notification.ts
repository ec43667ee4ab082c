// What an Amazon SES notification (the `Message` of an SNS notification: "Amazon SNS notification contents for
// Amazon SES", or an event-publishing record, which says `eventType` for `notificationType`) reports about the
// mail we sent: a bounce (Permanent: hard, unless its status is mailbox full, the same rule as a DSN's;
// Transient and Undetermined: soft), a complaint (not-spam is none), a delivery delay (noted). Deliveries, opens
// and the like are known and ignored.
import { z } from 'zod';
import { kindOfStatus } from '../bounces/report-parser.js';
import type { ProviderReport } from './provider-reports.js';

const recipients = z.array(
  z.object({
    emailAddress: z.string().min(3).max(320),
    status: z.string().max(20).nullish(),
    diagnosticCode: z.string().max(5000).nullish(),
  }),
);

const sesSchema = z.object({
  notificationType: z.string().optional(),
  eventType: z.string().optional(),
  mail: z.object({
    source: z.string().max(320).nullish(),
    headers: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
    commonHeaders: z.object({ messageId: z.string().max(1000).nullish() }).nullish(),
  }),
  bounce: z
    .object({ bounceType: z.string(), bounceSubType: z.string().nullish(), bouncedRecipients: recipients })
    .optional(),
  complaint: z
    .object({
      complainedRecipients: z.array(z.object({ emailAddress: z.string().min(3).max(320) })),
      complaintFeedbackType: z.string().max(100).nullish(),
    })
    .optional(),
  deliveryDelay: z.object({ delayType: z.string().nullish(), delayedRecipients: recipients }).optional(),
});

type SesNotification = z.infer<typeof sesSchema>;

/** Types SES sends that say nothing this product records. */
const IGNORED = new Set([
  'Delivery',
  'Send',
  'Reject',
  'Open',
  'Click',
  'Rendering Failure',
  'Subscription',
  'AmazonSnsSubscriptionSucceeded',
]);

/** What a notification said: reports to record, a type with nothing to record, or something not SES's. */
export type SesReading =
  | { kind: 'reports'; type: string; reports: ProviderReport[] }
  | { kind: 'ignored'; type: string }
  | { kind: 'malformed' }
  | { kind: 'unknown'; type: string };

/** Our Message-ID as the message carried it (SES rewrites the header when sending, and reports the original). */
function messageIdOf(mail: SesNotification['mail']): string | null {
  const common = mail.commonHeaders?.messageId;
  if (common) return common;
  return mail.headers?.find((header) => header.name.toLowerCase() === 'message-id')?.value ?? null;
}

function diagnosticOf(status: string | null | undefined, code: string | null | undefined, fallback: string): string {
  return [status, code].filter(Boolean).join(' ') || fallback;
}

function reportsOf(type: string, note: SesNotification): Array<Omit<ProviderReport, 'envelopeSender' | 'messageId'>> {
  if (type === 'Bounce' && note.bounce) {
    const { bounceType, bounceSubType } = note.bounce;
    return note.bounce.bouncedRecipients.map((r) => ({
      kind: bounceType === 'Permanent' ? (kindOfStatus(r.status || '5.0.0', 'failed') ?? 'hard') : 'soft',
      diagnostic: diagnosticOf(r.status, r.diagnosticCode, [bounceType, bounceSubType].filter(Boolean).join(' ')),
      recipient: r.emailAddress,
    }));
  }
  if (type === 'Complaint' && note.complaint) {
    const feedbackType = note.complaint.complaintFeedbackType || 'complaint';
    if (feedbackType.toLowerCase() === 'not-spam') return [];
    return note.complaint.complainedRecipients.map((r) => ({
      kind: 'complaint' as const,
      diagnostic: feedbackType,
      recipient: r.emailAddress,
    }));
  }
  if (type === 'DeliveryDelay' && note.deliveryDelay) {
    const delayType = note.deliveryDelay.delayType || 'delayed';
    return note.deliveryDelay.delayedRecipients.map((r) => ({
      kind: 'delayed' as const,
      diagnostic: diagnosticOf(r.status, r.diagnosticCode, delayType),
      recipient: r.emailAddress,
    }));
  }
  return [];
}

/** Reads an SES notification (the SNS message's text). */
export function readSesNotification(message: string): SesReading {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { kind: 'malformed' };
  }
  const type =
    json && typeof json === 'object'
      ? ((json as Record<string, unknown>).notificationType ?? (json as Record<string, unknown>).eventType)
      : undefined;
  if (typeof type !== 'string') return { kind: 'malformed' };
  if (IGNORED.has(type)) return { kind: 'ignored', type };
  if (!['Bounce', 'Complaint', 'DeliveryDelay'].includes(type)) return { kind: 'unknown', type: type.slice(0, 40) };
  const parsed = sesSchema.safeParse(json);
  if (!parsed.success) return { kind: 'malformed' };
  const envelopeSender = parsed.data.mail.source ?? null;
  const messageId = messageIdOf(parsed.data.mail);
  const reports = reportsOf(type, parsed.data).map((report) => ({ ...report, envelopeSender, messageId }));
  // A Bounce without its bounce object (or a complaint without its recipients) is not what SES sends.
  if (reports.length === 0 && !(type === 'Complaint' && parsed.data.complaint)) return { kind: 'malformed' };
  return { kind: 'reports', type, reports };
}
