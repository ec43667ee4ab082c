// Turns a message and one recipient into the e-mail that goes out: placeholders, unsubscribe link, headers.
import { type OutgoingEmail, senderOf } from './mime.js';
import { signUnsubscribeToken } from './unsubscribe-token.js';

export interface Recipient {
  deliveryId: number;
  runId: number;
  clientId: number | null;
  email: string;
  fullName: string;
}

export interface MessageContent {
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
}

export interface ComposeSettings {
  from: string;
  appUrl: string;
  secret: string;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML content and attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

/** The placeholders a message may use; saving a message with any other is refused (message.form.ts). */
export const PLACEHOLDERS = ['full_name', 'email'] as const;

const ANY_PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Fills {{full_name}} and {{email}} (spaces inside the braces allowed); other text is left as written. */
export function fillPlaceholders(
  template: string,
  recipient: Pick<Recipient, 'email' | 'fullName'>,
  escape = (s: string) => s,
): string {
  const values: Record<string, string> = { full_name: recipient.fullName || recipient.email, email: recipient.email };
  return template.replace(ANY_PLACEHOLDER, (written, name: string) =>
    Object.hasOwn(values, name) ? escape(values[name] as string) : written,
  );
}

/** The placeholders in a text that no recipient would get filled ({{fullname}}, {{ name }}), as written. */
export function unknownPlaceholders(text: string): string[] {
  const known: readonly string[] = PLACEHOLDERS;
  const found = [...text.matchAll(ANY_PLACEHOLDER)].filter((match) => !known.includes(match[1] ?? ''));
  return [...new Set(found.map((match) => match[0]))];
}

/** The domain of MAIL_FROM (`Name <address>` or an address), for Message-IDs; read as the header is. */
export function domainOf(from: string): string {
  const { address } = senderOf(from);
  const at = address.lastIndexOf('@');
  return at >= 0 && at < address.length - 1 ? address.slice(at + 1) : 'localhost';
}

/** The e-mail for one delivery: one recipient in To, a stable Message-ID, and a working unsubscribe link. */
export function composeEmail(
  message: MessageContent,
  recipient: Recipient,
  settings: ComposeSettings,
  attempt: number,
): OutgoingEmail {
  const unsubscribeUrl =
    recipient.clientId === null
      ? null
      : `${settings.appUrl}/unsubscribe/${signUnsubscribeToken(recipient.clientId, settings.secret)}`;
  const textFooter = unsubscribeUrl ? `\n\n--\nTo stop receiving these e-mails: ${unsubscribeUrl}\n` : '';
  const htmlFooter =
    message.bodyHtml && unsubscribeUrl
      ? `<hr><p style="font-size:12px;color:#666">To stop receiving these e-mails, <a href="${escapeHtml(unsubscribeUrl)}">unsubscribe</a>.</p>`
      : '';
  return {
    from: settings.from,
    to: { name: recipient.fullName, address: recipient.email },
    subject: fillPlaceholders(message.subject, recipient).replace(/[\r\n]+/g, ' '),
    text: fillPlaceholders(message.bodyText, recipient) + textFooter,
    html: message.bodyHtml ? fillPlaceholders(message.bodyHtml, recipient, escapeHtml) + htmlFooter : null,
    messageId: `<run${recipient.runId}.d${recipient.deliveryId}.a${attempt}@${domainOf(settings.from)}>`,
    date: new Date(),
    headers: unsubscribeUrl
      ? { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
      : {},
  };
}
