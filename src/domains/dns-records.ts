// The DNS records a sending domain publishes: DKIM under its selector, SPF with our relay's term, a first DMARC.

export interface DnsRecord {
  kind: 'dkim' | 'dkim-ed25519' | 'spf' | 'dmarc';
  /** Fully qualified, without the final dot. */
  name: string;
  type: 'TXT';
  value: string;
}

/** What the records are made from: the domain's name and public keys, and the SPF term of our relay. */
export interface RecordSource {
  name: string;
  dkimSelector: string;
  dkimPublicKey: string;
  ed25519Selector?: string | null;
  ed25519PublicKey?: string | null;
}

/** The DKIM record's text (RFC 6376 §3.6.1; Ed25519 as RFC 8463). */
export function dkimRecordValue(publicKey: string, algorithm: 'rsa' | 'ed25519' = 'rsa'): string {
  return `v=DKIM1; k=${algorithm}; p=${publicKey}`;
}

/** The SPF record to publish when the domain has none: our relay's term, then a soft fail for the rest. */
export function spfRecordValue(mechanism: string): string {
  return `v=spf1 ${mechanism} ~all`;
}

/** A DMARC record to start with: report only (p=none), to be tightened once reports show all mail aligned. */
export function dmarcRecordValue(domain: string): string {
  return `v=DMARC1; p=none; rua=mailto:dmarc-reports@${domain}; adkim=r; aspf=r`;
}

/** Every record the domain should publish, in the order the screens and the CLI show them. */
export function recordsOf(domain: RecordSource, spfMechanism: string): DnsRecord[] {
  const records: DnsRecord[] = [
    {
      kind: 'dkim',
      name: `${domain.dkimSelector}._domainkey.${domain.name}`,
      type: 'TXT',
      value: dkimRecordValue(domain.dkimPublicKey),
    },
  ];
  if (domain.ed25519Selector && domain.ed25519PublicKey)
    records.push({
      kind: 'dkim-ed25519',
      name: `${domain.ed25519Selector}._domainkey.${domain.name}`,
      type: 'TXT',
      value: dkimRecordValue(domain.ed25519PublicKey, 'ed25519'),
    });
  records.push({ kind: 'spf', name: domain.name, type: 'TXT', value: spfRecordValue(spfMechanism) });
  records.push({ kind: 'dmarc', name: `_dmarc.${domain.name}`, type: 'TXT', value: dmarcRecordValue(domain.name) });
  return records;
}

/** A TXT value as zone-file strings: quoted, at most 255 characters each (RFC 1035 §3.3.14), escaped. */
export function txtStrings(value: string): string {
  const parts: string[] = [];
  for (let at = 0; at < value.length; at += 255) parts.push(value.slice(at, at + 255));
  return parts.map((part) => `"${part.replace(/["\\]/g, '\\$&')}"`).join(' ');
}

/** One record as a zone-file line: `sel._domainkey.example.com. IN TXT "v=DKIM1; k=rsa; p=..."`. */
export function zoneLine(record: DnsRecord): string {
  return `${record.name}. IN ${record.type} ${txtStrings(record.value)}`;
}
