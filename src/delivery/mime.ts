// Turns an e-mail into the bytes that go out (RFC 5322 headers, MIME body) and its SMTP envelope. Written here
// rather than by nodemailer's composer: its tree of streams cost more CPU per message than all the engine's
// own bookkeeping (see docs/PERFORMANCE.md); nodemailer still encodes the words and lines, and talks SMTP.
import { randomBytes } from 'node:crypto';
import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';
import { encodeWord, foldLines } from 'nodemailer/lib/mime-funcs';
import { encode as encodeQuotedPrintable, wrap as wrapQuotedPrintable } from 'nodemailer/lib/qp';
import type { DkimSigning } from './dkim-sign.js';

export interface Mailbox {
  name: string;
  address: string;
}

/** One e-mail to one recipient, as the engine and the site compose it. */
export interface OutgoingEmail {
  /** The sender as configured (MAIL_FROM): `Name <address>` or a bare address. */
  from: string;
  to: Mailbox;
  subject: string;
  text: string;
  html: string | null;
  /** With its angle brackets. */
  messageId: string;
  date: Date;
  /** Extra header fields, values as they go out (ASCII). */
  headers: Record<string, string>;
  /** The envelope sender (Return-Path) when it is not the From address: a delivery's VERP address (verp.ts). */
  envelopeFrom?: string | null;
  /** The sending domain's key: the transport signs the rendered message with it (dkim-sign.ts). */
  dkim?: DkimSigning | null;
}

export interface RenderedEmail {
  raw: Buffer;
  envelope: { from: string; to: string[] };
  /** True when an address has a non-ASCII local part: only a server offering SMTPUTF8 can take it. */
  needsSmtpUtf8: boolean;
}

const CONTROL_CHARACTERS = /\p{Cc}+/gu;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** A display name that needs neither quotes nor encoding: atext and spaces (RFC 5322 §3.2.3). */
const PLAIN_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]*$/;

/** A header value on one line: control characters (a line break above all) become a space. */
function oneLine(value: string): string {
  return value.replace(CONTROL_CHARACTERS, ' ').trim();
}

/** A display name or subject as header text: as written when plain ASCII, else RFC 2047 words. */
function headerText(value: string, phrase: boolean): string {
  if (!PRINTABLE_ASCII.test(value)) return encodeWord(value, 'B', 52);
  if (!phrase || PLAIN_PHRASE.test(value)) return value;
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

/** The address as it goes out: an internationalized domain in punycode (RFC 5891); the local part as is. */
export function asciiDomainAddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  const domain = address.slice(at + 1);
  if (PRINTABLE_ASCII.test(domain)) return address;
  const ascii = domainToASCII(domain);
  return ascii ? `${address.slice(0, at + 1)}${ascii}` : address;
}

function formatMailbox(mailbox: Mailbox): string {
  const name = oneLine(mailbox.name);
  const address = asciiDomainAddress(oneLine(mailbox.address));
  return name ? `${headerText(name, true)} <${address}>` : address;
}

const parsedSenders = new Map<string, Mailbox>();

/** MAIL_FROM (or any `Name <address>`) as a mailbox; parsed once per value. */
export function senderOf(from: string): Mailbox {
  let sender = parsedSenders.get(from);
  if (!sender) {
    const [first] = addressparser(from) as Array<{ name?: string; address?: string }>;
    sender = { name: first?.name ?? '', address: first?.address ?? from };
    parsedSenders.set(from, sender);
  }
  return sender;
}

/**
 * Whether text may go as 7bit: printable ASCII, tabs and line breaks only, no line over 76 characters. One scan
 * (a regular expression for the long lines backtracked at every character: a tenth of a send's CPU).
 */
function isShortAsciiLines(text: string): boolean {
  let line = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 || c === 10) line = 0;
    else if ((c < 0x20 && c !== 9) || c > 0x7e || ++line > 76) return false;
  }
  return true;
}

/** Text with CRLF line ends and how it is sent: 7bit when short ASCII lines, else quoted-printable. */
function encodeBody(text: string, forceEncoding: boolean): { encoding: string; body: string } {
  const crlf = text.replace(/\r\n|\r|\n/g, '\r\n');
  if (!forceEncoding && isShortAsciiLines(crlf)) return { encoding: '7bit', body: crlf };
  return { encoding: 'quoted-printable', body: wrapQuotedPrintable(encodeQuotedPrintable(crlf), 76) };
}

function textPart(type: 'plain' | 'html', content: string, inMultipart: boolean): string {
  // "=_" never occurs in quoted-printable, so a boundary starting with it cannot occur in an encoded part.
  const { encoding, body } = encodeBody(content, inMultipart);
  return `Content-Type: text/${type}; charset=utf-8\r\nContent-Transfer-Encoding: ${encoding}\r\n\r\n${body}`;
}

const boundaryStem = randomBytes(6).toString('hex');
let boundaryCount = 0;

/** The header line `Name: value`, folded at spaces to 76 characters where it has any. */
function headerLine(name: string, value: string): string {
  return foldLines(`${name}: ${value}`, 76);
}

/** The message and envelope for one e-mail; the same bytes go to an SMTP server or the outbox. */
export function renderEmail(email: OutgoingEmail): RenderedEmail {
  const sender = senderOf(email.from);
  const lines = [
    headerLine('From', formatMailbox(sender)),
    headerLine('To', formatMailbox(email.to)),
    headerLine('Subject', headerText(oneLine(email.subject), false)),
    `Message-ID: ${oneLine(email.messageId)}`,
    `Date: ${email.date.toUTCString().replace(/GMT$/, '+0000')}`,
    'MIME-Version: 1.0',
    ...Object.entries(email.headers).map(([name, value]) => `${name}: ${oneLine(value)}`),
  ];
  let body: string;
  if (email.html === null) {
    body = textPart('plain', email.text, false);
  } else {
    boundaryCount += 1;
    const boundary = `=_${boundaryStem}_${boundaryCount}`;
    body =
      `Content-Type: multipart/alternative; boundary="${boundary}"\r\n\r\n` +
      `--${boundary}\r\n${textPart('plain', email.text, true)}\r\n` +
      `--${boundary}\r\n${textPart('html', email.html, true)}\r\n` +
      `--${boundary}--\r\n`;
  }
  const from = asciiDomainAddress(email.envelopeFrom ?? sender.address);
  const to = asciiDomainAddress(oneLine(email.to.address));
  return {
    raw: Buffer.from(`${lines.join('\r\n')}\r\n${body}`, 'utf8'),
    envelope: { from, to: [to] },
    needsSmtpUtf8: !PRINTABLE_ASCII.test(from) || !PRINTABLE_ASCII.test(to),
  };
}
