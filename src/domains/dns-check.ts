// Checks what a sending domain has published, record by record, with mailauth's SPF, DKIM and DMARC lookups.
import type { KeyObject } from 'node:crypto';
import { dkimVerify, dmarc, spf } from 'mailauth';
import { ed25519SignatureField } from '../delivery/dkim-ed25519.js';
import { SIGNED_HEADER_FIELDS, signMessage } from '../delivery/dkim-sign.js';
import { dkimRecordValue, spfRecordValue, type RecordSource } from './dns-records.js';
import { dnsResolver } from './dns-resolver.js';

export type RecordState = 'ok' | 'missing' | 'wrong';

/** One record's state: what should be there, and what was found (null when nothing was). */
export interface RecordCheck {
  kind: 'dkim' | 'dkim-ed25519' | 'spf' | 'dmarc';
  name: string;
  state: RecordState;
  expected: string;
  found: string | null;
  /** Why a found record is wrong, in English for the CLI and logs (the screens say it by state). */
  detail: string | null;
}

export interface DomainCheck {
  records: RecordCheck[];
  /** Usable for sending: the DKIM record verifies a signature made with the domain's key. */
  verified: boolean;
}

/** The TXT records at a name, each joined from its strings; none when the name has none. */
async function txtAt(name: string): Promise<string[]> {
  try {
    const answers = await dnsResolver()(name, 'TXT');
    return answers.map((record) => (Array.isArray(record) ? record.join('') : record));
  } catch {
    return [];
  }
}

/** A small message signed with the domain's key, so that the check verifies exactly what receivers will. */
function probeMessage(domain: string): Buffer {
  const lines = [
    `From: check@${domain}`,
    `To: check@${domain}`,
    'Subject: DKIM record check',
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <dkim-check@${domain}>`,
    '',
    'DKIM record check.',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

/** The probe signed with one key alone: the RSA key through the sending signer, the Ed25519 key through its own. */
async function signedProbe(domain: RecordSource, privateKey: KeyObject, selector: string): Promise<Buffer> {
  const probe = probeMessage(domain.name);
  if (privateKey.asymmetricKeyType !== 'ed25519')
    return signMessage(probe, { domainName: domain.name, keySelector: selector, privateKey });
  const field = ed25519SignatureField(probe, {
    domainName: domain.name,
    keySelector: selector,
    privateKey,
    fieldNames: SIGNED_HEADER_FIELDS,
  });
  return Buffer.concat([Buffer.from(`${field}\r\n`, 'latin1'), probe]);
}

/**
 * DKIM: ok when a probe signed with our key verifies against the published key. The RSA key is checked under
 * the domain's selector; an Ed25519 key (its own selector, kind `dkim-ed25519`) the same way.
 */
export async function checkDkim(domain: RecordSource, privateKey: KeyObject): Promise<RecordCheck> {
  const ed25519 = privateKey.asymmetricKeyType === 'ed25519';
  const kind = ed25519 ? 'dkim-ed25519' : 'dkim';
  const selector = ed25519 ? (domain.ed25519Selector ?? '') : domain.dkimSelector;
  const name = `${selector}._domainkey.${domain.name}`;
  const expected = ed25519
    ? dkimRecordValue(domain.ed25519PublicKey ?? '', 'ed25519')
    : dkimRecordValue(domain.dkimPublicKey);
  const result = await dkimVerify(await signedProbe(domain, privateKey, selector), { resolver: dnsResolver() });
  const status = result.results[0]?.status;
  const found = (await txtAt(name))[0] ?? null;
  if (status?.result === 'pass') return { kind, name, state: 'ok', expected, found, detail: null };
  if (found === null) return { kind, name, state: 'missing', expected, found, detail: null };
  const detail = status?.comment ? String(status.comment) : 'the published key does not verify our signature';
  return { kind, name, state: 'wrong', expected, found, detail };
}

/** The term itself, without a qualifier and in lower case, so that `+include:x` and `include:X` compare equal. */
function bareTerm(term: string): string {
  return term.replace(/^[+]/, '').toLowerCase();
}

/** SPF: ok when the domain's one SPF record names our relay's term. */
export async function checkSpf(domainName: string, mechanism: string): Promise<RecordCheck> {
  const expected = spfRecordValue(mechanism);
  const base = { kind: 'spf' as const, name: domainName, expected };
  const result = await spf({
    sender: `postmaster@${domainName}`,
    ip: '192.0.2.1',
    helo: domainName,
    resolver: dnsResolver(),
  });
  const published = (await txtAt(domainName)).filter((txt) => /^v=spf1(\s|$)/i.test(txt));
  const found = result.rr ?? published[0] ?? null;
  if (published.length === 0) return { ...base, state: 'missing', found: null, detail: null };
  if (published.length > 1)
    return {
      ...base,
      state: 'wrong',
      found: published.join(' | '),
      detail: 'more than one SPF record: receivers reject both',
    };
  if (result.status.result === 'permerror')
    return { ...base, state: 'wrong', found, detail: String(result.status.comment ?? 'the record is not valid SPF') };
  const terms = (found ?? '').split(/\s+/).map(bareTerm);
  if (!terms.includes(bareTerm(mechanism)))
    return { ...base, state: 'wrong', found, detail: `the record does not name ${mechanism}` };
  return { ...base, state: 'ok', found, detail: null };
}

/** DMARC: ok when a DMARC record applies to the domain (any policy: p=none is where one starts). */
export async function checkDmarc(domainName: string, expected: string): Promise<RecordCheck> {
  const name = `_dmarc.${domainName}`;
  const result = await dmarc({ headerFrom: domainName, resolver: dnsResolver() });
  const found = (result && result.rr) || (await txtAt(name)).find((txt) => /^v=DMARC1/i.test(txt)) || null;
  if (!result || result.status.result === 'none' || !found) {
    const stray = (await txtAt(name))[0] ?? null;
    if (stray) return { kind: 'dmarc', name, state: 'wrong', expected, found: stray, detail: 'not a DMARC record' };
    return { kind: 'dmarc', name, state: 'missing', expected, found: null, detail: null };
  }
  if (result.status.result === 'temperror')
    return { kind: 'dmarc', name, state: 'wrong', expected, found, detail: result.error ?? 'lookup failed' };
  return { kind: 'dmarc', name, state: 'ok', expected, found, detail: null };
}
