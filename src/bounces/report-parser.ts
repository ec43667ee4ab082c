// Reads a returned e-mail: an RFC 3464 delivery status notification, an RFC 5965 (ARF) abuse report, or a
// plain-text bounce with an RFC 3463 status code in it (what many servers still send). mailparser splits the MIME
// parts; the message/delivery-status and message/feedback-report parts are header-style field blocks (RFC 3464
// §2.1, RFC 5965 §3.1) that no installed library reads, so parseFieldBlocks does.
import { simpleParser } from 'mailparser';
import type { FeedbackKind } from '../delivery/feedback.js';

/** What a returned e-mail says about the message it returns. */
export interface ParsedReport {
  kind: FeedbackKind;
  /** e.g. "5.1.1 smtp; 550 5.1.1 <x@example.com>: user unknown" or "abuse". */
  diagnostic: string;
  /** The recipient the report names (Final-Recipient / Original-Rcpt-To), when it names one. */
  recipient: string | null;
}

/** Header-style blocks separated by blank lines, continuation lines unfolded, names lower-cased. */
export function parseFieldBlocks(text: string): Array<Map<string, string>> {
  const blocks: Array<Map<string, string>> = [];
  for (const chunk of text.replace(/\r\n/g, '\n').split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string>();
    for (const line of chunk.replace(/\n[ \t]+/g, ' ').split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    if (fields.size) blocks.push(fields);
  }
  return blocks;
}

/** The address of an RFC 3464 address field ("rfc822; someone@example.com"). */
function addressOf(field: string | undefined): string | null {
  if (!field) return null;
  const address = field
    .replace(/^[^;]*;/, '')
    .trim()
    .replace(/^<|>$/g, '');
  return address.includes('@') ? address.toLowerCase() : null;
}

/**
 * What an RFC 3463 status says, for every door (this parser, the provider webhooks): mailbox full (5.2.2) is
 * permanent by its class, yet usually passes: counted as soft, like a 4.x.x.
 */
export function kindOfStatus(status: string, action: string): FeedbackKind | null {
  if (action === 'delayed') return 'delayed';
  if (action && action !== 'failed') return null;
  if (status.startsWith('5.') && status !== '5.2.2') return 'hard';
  if (status.startsWith('4.') || status === '5.2.2') return 'soft';
  return action === 'failed' ? 'hard' : null;
}

/** The first failed or delayed recipient of a delivery-status part. */
function fromDeliveryStatus(text: string): ParsedReport | null {
  for (const fields of parseFieldBlocks(text).slice(1)) {
    const status = (fields.get('status') ?? '').split(/\s/)[0] ?? '';
    const kind = kindOfStatus(status, (fields.get('action') ?? '').toLowerCase());
    if (!kind) continue;
    const diagnostic = [status, fields.get('diagnostic-code')].filter(Boolean).join(' ');
    const recipient = addressOf(fields.get('final-recipient')) ?? addressOf(fields.get('original-recipient'));
    return { kind, diagnostic: diagnostic || kind, recipient };
  }
  return null;
}

/** An ARF report: every feedback type is a complaint (abuse, fraud, virus…) except "not-spam". */
function fromFeedbackReport(text: string): ParsedReport | null {
  const [fields] = parseFieldBlocks(text);
  const type = fields?.get('feedback-type')?.toLowerCase();
  if (!fields || !type || type === 'not-spam') return null;
  return { kind: 'complaint', diagnostic: type, recipient: addressOf(fields.get('original-rcpt-to')) };
}

const STATUS_IN_TEXT = /\b([45])\.(\d{1,3})\.(\d{1,3})\b/;

/** The first RFC 3463 status code (5.1.1) in a reply or diagnostic text, if any. */
export function statusCodeIn(text: string): string | null {
  return STATUS_IN_TEXT.exec(text)?.[0] ?? null;
}

/** A bounce without a delivery-status part: the first RFC 3463 status code in its text decides. */
function fromPlainText(subject: string, text: string): ParsedReport | null {
  if (!/undeliver|deliver(y|ed)? (status|fail)|returned mail|failure|mail delivery|bounce/i.test(`${subject}\n${text}`))
    return null;
  const status = statusCodeIn(text);
  if (!status) return null;
  const line = text.split(/\r?\n/).find((l) => l.includes(status)) ?? status;
  const kind = kindOfStatus(status, 'failed');
  return kind ? { kind, diagnostic: line.trim().slice(0, 500), recipient: null } : null;
}

/** What the returned e-mail says, or null when it is no bounce or report this reads (logged, then dropped). */
export async function parseReport(raw: Buffer): Promise<ParsedReport | null> {
  const options = { keepDeliveryStatus: true, skipHtmlToText: true, skipTextLinks: true, skipImageLinks: true };
  const mail = await simpleParser(raw, options);
  for (const part of mail.attachments) {
    const type = part.contentType.toLowerCase();
    if (type === 'message/delivery-status' || type === 'message/global-delivery-status')
      return fromDeliveryStatus(part.content.toString('utf8'));
    if (type === 'message/feedback-report') return fromFeedbackReport(part.content.toString('utf8'));
  }
  return fromPlainText(mail.subject ?? '', mail.text ?? '');
}
