// A provider's report (a bounce or a complaint its webhook told us of) recorded as the bounce listener records a
// returned e-mail: the same recordFeedback, so the delivery is marked, the address suppressed for its owner and
// soft bounces counted by one rule. The one question that is the webhooks' own is which delivery a report means:
//  1. the VERP envelope sender the provider reports (SES `mail.source`, Mailgun `envelope.sender`): signed by
//     us (verp.ts), it names the delivery and cannot be made up, and providers report it even when they leave
//     the message's headers out (SES does unless told to include them);
//  2. else our own Message-ID (`mail.commonHeaders.messageId` / `mail.headers`, Mailgun's `message-id`), which
//     names the run and the delivery: it is not signed, so the run must match too.
// Either way the delivery's address must be the recipient the report names. The provider's own message id (SES
// `mail.messageId`) is not used: we never learn it when sending (SMTP answers it in free text).
import { domainToASCII } from 'node:url';
import type { Sequelize } from 'sequelize';
import type { BounceSettings } from '../bounce-config.js';
import type { SuppressionSource } from '../db/models/index.js';
import { recordFeedback, type FeedbackKind, type FeedbackResult } from '../delivery/feedback.js';
import { deliveryOfMessageId } from '../delivery/message-id.js';
import { selectRows } from '../delivery/sql.js';
import { deliveryOfBounceAddress } from '../delivery/verp.js';

/** One recipient's bounce or complaint, as a provider's notification told it. */
export interface ProviderReport {
  kind: FeedbackKind;
  /** The status and the remote server's words, or the complaint's feedback type. */
  diagnostic: string;
  /** The recipient the report is about. */
  recipient: string;
  /** The envelope sender (MAIL FROM) the message went with, as the provider reports it. */
  envelopeSender: string | null;
  /** The Message-ID header the message carried, as the provider reports it. */
  messageId: string | null;
}

/** What became of one report: recordFeedback's result, or `not_ours` when it names no delivery of ours. */
export type ReportOutcome = FeedbackResult | 'not_ours';

/** An address compared as mail servers see it: lower case, the domain in punycode (as it went out). */
function comparable(address: string): string {
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 0) return lower;
  return `${lower.slice(0, at)}@${domainToASCII(lower.slice(at + 1)) || lower.slice(at + 1)}`;
}

/** The delivery a report means (see the head of this file), or null. */
async function deliveryOfReport(
  sequelize: Sequelize,
  report: ProviderReport,
  settings: BounceSettings,
): Promise<number | null> {
  const byVerp = report.envelopeSender ? deliveryOfBounceAddress(report.envelopeSender, settings) : null;
  const byMessageId = byVerp === null && report.messageId ? deliveryOfMessageId(report.messageId) : null;
  const deliveryId = byVerp ?? byMessageId?.deliveryId;
  if (deliveryId === undefined) return null;
  const [row] = await selectRows<{ run_id: number | string; email: string }>(
    sequelize,
    'SELECT run_id, email FROM deliveries WHERE id = :deliveryId',
    { deliveryId },
  );
  if (!row || comparable(row.email) !== comparable(report.recipient)) return null;
  if (byMessageId && Number(row.run_id) !== byMessageId.runId) return null;
  return deliveryId;
}

/** Records one provider report against the delivery it means; one that means none of ours is left alone. */
export async function recordProviderReport(
  sequelize: Sequelize,
  report: ProviderReport,
  source: SuppressionSource,
  settings: BounceSettings,
): Promise<ReportOutcome> {
  const deliveryId = await deliveryOfReport(sequelize, report, settings);
  if (deliveryId === null) return 'not_ours';
  return recordFeedback(
    sequelize,
    { deliveryId, kind: report.kind, diagnostic: report.diagnostic, source, address: report.recipient },
    settings,
  );
}
