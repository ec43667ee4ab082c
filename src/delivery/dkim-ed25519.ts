// The ed25519-sha256 DKIM signature (RFC 8463), which nodemailer's signer cannot make (it knows rsa-sha256 only):
// relaxed/relaxed canonicalization and a sha256 body hash as RFC 6376 §3.4 and §3.7 say, signed with node:crypto.
import { createHash, sign, type KeyObject } from 'node:crypto';

/** What one Ed25519 signature needs: the d= domain, its own s= selector, the decrypted key, the fields to cover. */
export interface Ed25519Signing {
  domainName: string;
  keySelector: string;
  privateKey: KeyObject;
  /** Field names in the order h= lists them; a field the message lacks is left out (as nodemailer's signer does). */
  fieldNames: readonly string[];
}

/** Header section and body, split at the first empty line (CRLF, or a bare LF as some producers write). */
function splitMessage(raw: Buffer): { header: string; body: string } {
  // latin1: one character per byte, so that the canonical forms hash the message's own bytes.
  const text = raw.toString('latin1');
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return { header: text, body: '' };
  return { header: text.slice(0, match.index), body: text.slice(match.index + match[0].length) };
}

/**
 * The body in relaxed canonical form (RFC 6376 §3.4.4): whitespace at line ends dropped, runs of SP and HTAB made
 * one SP, every line ended by CRLF, the empty lines at the end left out; an empty body stays empty.
 */
export function relaxedBody(body: string): string {
  const lines = body.split(/\r?\n/).map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.length === 0 ? '' : `${lines.join('\r\n')}\r\n`;
}

/** A field's name as h= and the canonical form write it: lower case, without the whitespace before the colon. */
function nameOf(field: string): string {
  return field
    .slice(0, field.indexOf(':'))
    .replace(/[ \t]+$/, '')
    .toLowerCase();
}

/** One header field in relaxed form (RFC 6376 §3.4.2): name in lower case, unfolded, its whitespace collapsed. */
export function relaxedHeader(field: string): string {
  const name = nameOf(field);
  const value = field
    .slice(field.indexOf(':') + 1)
    .replace(/\r?\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
  return `${name}:${value}`;
}

/** The header section as its fields, each with its folded continuation lines. */
function headerFields(header: string): string[] {
  const fields: string[] = [];
  for (const line of header.split(/\r?\n/)) {
    const last = fields.length - 1;
    if (/^[ \t]/.test(line) && last >= 0) fields[last] += `\r\n${line}`;
    else if (line.includes(':')) fields.push(line);
  }
  return fields;
}

/**
 * The fields the signature covers and their names for h=: for each name the bottom-most instance, which is the
 * one a verifier takes for a name listed once (RFC 6376 §5.4.2).
 */
function signedFields(header: string, fieldNames: readonly string[]): { names: string[]; canonical: string[] } {
  const byName = new Map<string, string>();
  for (const field of headerFields(header)) byName.set(nameOf(field), field);
  const names: string[] = [];
  const canonical: string[] = [];
  for (const name of new Set(fieldNames.map((n) => n.toLowerCase()))) {
    const field = byName.get(name);
    if (field === undefined) continue;
    names.push(name);
    canonical.push(relaxedHeader(field));
  }
  return { names, canonical };
}

/** Tag values folded into lines of at most about 76 characters, breaking between tags and inside long ones. */
function foldTags(tags: string[]): string {
  const lines: string[] = ['DKIM-Signature:'];
  for (const tag of tags) {
    const current = lines.length - 1;
    if ((lines[current] as string).length + tag.length + 1 <= 76) lines[current] += ` ${tag}`;
    else lines.push(` ${tag}`);
  }
  return lines.join('\r\n');
}

/** The h= value with a folding point after each colon, so that a long list wraps (FWS is allowed there). */
function foldedNames(names: string[]): string {
  const lines = [''];
  for (const [index, name] of names.entries()) {
    const piece = index < names.length - 1 ? `${name}:` : name;
    if ((lines[lines.length - 1] as string).length + piece.length > 70) lines.push('');
    lines[lines.length - 1] += piece;
  }
  return lines.join('\r\n ');
}

/**
 * The ed25519-sha256 DKIM-Signature field for a message (without a line break after it). RFC 8463 §3: Ed25519
 * (PureEdDSA) signs the sha256 hash of the canonicalized header data, which ends in this field with b= empty.
 */
export function ed25519SignatureField(raw: Buffer, signing: Ed25519Signing): string {
  if (signing.privateKey.asymmetricKeyType !== 'ed25519') throw new Error('The Ed25519 DKIM key is not an Ed25519 key');
  const { header, body } = splitMessage(raw);
  const bodyHash = createHash('sha256').update(relaxedBody(body), 'latin1').digest('base64');
  const { names, canonical } = signedFields(header, signing.fieldNames);
  // Domain and selector come from our own records (ASCII: a domain is stored in its A-label form); still, only
  // the characters of a DNS name go into a tag, so that nothing in them can end a tag or the field.
  const clean = (value: string) => value.replace(/[^A-Za-z0-9._-]/g, '');
  const unsigned = foldTags([
    'v=1;',
    'a=ed25519-sha256;',
    'c=relaxed/relaxed;',
    `d=${clean(signing.domainName)};`,
    `s=${clean(signing.keySelector)};`,
    'q=dns/txt;',
    `bh=${bodyHash};`,
    `h=${foldedNames(names)};`,
  ]).concat('\r\n b=');
  const signedData = [...canonical.map((field) => `${field}\r\n`), relaxedHeader(unsigned)].join('');
  const digest = createHash('sha256').update(signedData, 'latin1').digest();
  const signature = sign(null, digest, signing.privateKey).toString('base64');
  // The value goes on after "b=" on its own line, folded; verifiers drop the whitespace inside it (RFC 6376 §3.5).
  return unsigned + signature.replace(/(.{60})(?=.)/g, '$1\r\n ');
}
