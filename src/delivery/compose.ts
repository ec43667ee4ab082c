// Turns a message and one recipient into the e-mail that goes out: placeholders, unsubscribe link, headers.
import type { Language, Message } from '../db/models/index.js';
import { translator } from '../i18n/i18n.js';
import type { DkimSigning } from './dkim-sign.js';
import { messageIdOf } from './message-id.js';
import { type OutgoingEmail, senderOf } from './mime.js';
import { signUnsubscribeToken } from './unsubscribe-token.js';
import { bounceAddressOf, type VerpSettings } from './verp.js';

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
  /** The language of the footer and of the unsubscribe pages its link opens (the user's text stays as written). */
  language: Language;
  /** Who the footer names as the sender: the message's owner (see senderNameOf). */
  senderName: string;
  /** The mailing's sender identity; absent or null: MAIL_FROM, unsigned (system mail, older mailings). */
  sender?: SenderProfile | null;
}

/** An identity ready to send as: From, Reply-To, the domain for Message-IDs, the key that signs. */
export interface SenderProfile {
  from: string;
  replyTo: string | null;
  domain: string;
  dkim: DkimSigning | null;
}

export interface ComposeSettings {
  from: string;
  appUrl: string;
  secret: string;
  /** The bounce domain and key of the VERP envelope sender; without it the envelope sender is the From address. */
  bounces?: VerpSettings;
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

/**
 * The sender the footer and the unsubscribe pages name. A recipient is a client of the message's owner, not of
 * this service: the owner's name is the one they know (MAIL_FROM is the service's own mailbox, often shared by
 * every customer). An owner without a name falls back to MAIL_FROM's display name, then its domain.
 */
export function senderNameOf(ownerName: string, from: string): string {
  return ownerName.trim() || senderOf(from).name.trim() || domainOf(from);
}

/** What composing needs of a stored message and its owner's name: one mapping for the worker, test sends and previews. */
export function contentOf(message: Message, ownerName: string, from: string): MessageContent {
  const { subject, bodyText, bodyHtml, language } = message;
  return { subject, bodyText, bodyHtml, language, senderName: senderNameOf(ownerName, from) };
}

/** The unsubscribe link of a client, carrying the message's language for the pages it opens. */
export function unsubscribeUrlOf(clientId: number, language: Language, settings: ComposeSettings): string {
  return `${settings.appUrl}/unsubscribe/${signUnsubscribeToken(clientId, settings.secret)}?lang=${language}`;
}

/** The footer's words around its link, for one language and sender; the link goes between `before` and `after`. */
interface FooterFrame {
  text: { before: string; after: string };
  html: { before: string; after: string };
}

/** Stands for the link while the footer is translated (the translations never contain it). */
const LINK_SLOT = '\u0000';
/** Footers translated so far, by language and sender: a run's sender is the same for every recipient. */
const footerFrames = new Map<string, FooterFrame>();
/** More senders than this (a long-lived daemon) start the memo afresh rather than grow it without end. */
const FOOTER_FRAMES_KEPT = 256;

/** Splits a translated text at the link's slot. */
function aroundSlot(translated: string): { before: string; after: string } {
  const at = translated.indexOf(LINK_SLOT);
  return at < 0
    ? { before: translated, after: '' }
    : { before: translated.slice(0, at), after: translated.slice(at + 1) };
}

/**
 * The footer translated once per language and sender, not once per recipient: i18next's translate allocates
 * more per call than the rest of composing an e-mail, and that garbage is what a sending process's memory was.
 */
function footerFrameOf(message: MessageContent): FooterFrame {
  const key = `${message.language}\u0000${message.senderName}`;
  let frame = footerFrames.get(key);
  if (!frame) {
    const t = translator(message.language);
    const why = t('letters.footer.why', { sender: message.senderName });
    const stop = aroundSlot(t('letters.footer.stop', { url: LINK_SLOT }));
    frame = {
      text: { before: `\n\n--\n${why}\n${stop.before}`, after: `${stop.after}\n` },
      html: {
        before: `<hr><p style="font-size:12px;color:#666">${escapeHtml(why)} <a href="`,
        after: `">${escapeHtml(t('letters.footer.link'))}</a></p>`,
      },
    };
    if (footerFrames.size >= FOOTER_FRAMES_KEPT) footerFrames.clear();
    footerFrames.set(key, frame);
  }
  return frame;
}

/** The footer's two parts in the message's language: why the recipient got it and how to stop (HTML escaped). */
export function footerOf(message: MessageContent, url: string): { text: string; html: string } {
  const { text, html } = footerFrameOf(message);
  return { text: text.before + url + text.after, html: html.before + escapeHtml(url) + html.after };
}

/** The e-mail for one delivery: one recipient in To, a stable Message-ID, and a working unsubscribe link. */
export function composeEmail(
  message: MessageContent,
  recipient: Recipient,
  settings: ComposeSettings,
  attempt: number,
): OutgoingEmail {
  const unsubscribeUrl =
    recipient.clientId === null ? null : unsubscribeUrlOf(recipient.clientId, message.language, settings);
  const footer = unsubscribeUrl ? footerOf(message, unsubscribeUrl) : { text: '', html: '' };
  return withSender(message.sender ?? null, {
    from: settings.from,
    to: { name: recipient.fullName, address: recipient.email },
    subject: fillPlaceholders(message.subject, recipient).replace(/[\r\n]+/g, ' '),
    text: fillPlaceholders(message.bodyText, recipient) + footer.text,
    html: message.bodyHtml ? fillPlaceholders(message.bodyHtml, recipient, escapeHtml) + footer.html : null,
    messageId: messageIdOf(recipient.runId, recipient.deliveryId, attempt, domainOf(settings.from)),
    date: new Date(),
    headers: unsubscribeUrl
      ? { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
      : {},
    envelopeFrom: envelopeSenderOf(recipient, settings),
  });
}

/**
 * The e-mail as its sender identity sends it: its From and Reply-To, a Message-ID on its domain (the part after
 * the @ is the only one changed), and its key for the transport to sign with. Without an identity, as composed.
 */
export function withSender(sender: SenderProfile | null, email: OutgoingEmail): OutgoingEmail {
  if (!sender) return email;
  const messageId = email.messageId.replace(/@[^>]*>$/, `@${sender.domain}>`);
  const headers = sender.replyTo ? { 'Reply-To': sender.replyTo, ...email.headers } : email.headers;
  return { ...email, from: sender.from, messageId, headers, dkim: sender.dkim };
}

/** A delivery's VERP envelope sender (a test send, with no delivery, and no bounce domain keep the From address). */
function envelopeSenderOf(recipient: Recipient, settings: ComposeSettings): string | null {
  return settings.bounces && recipient.deliveryId > 0 ? bounceAddressOf(recipient.deliveryId, settings.bounces) : null;
}
