// Sending domains for tests: a local DNS zone that publishes their records (no test reaches the network).
import type { DKIMResult } from 'mailauth';
import type { SendingDomain, User } from '../../src/db/models/index.js';
import { addDomain, checkDomain, domainRecords } from '../../src/domains/domains.service.js';
import { createIdentity } from '../../src/domains/identities.service.js';
import { useDnsResolver, zoneResolver } from '../../src/domains/dns-resolver.js';
import { testConfig } from './hooks.js';
import { unique } from './factories.js';

/** TXT records as a zone holds them: a value longer than 255 characters split into strings, as DNS serves it. */
export function asStrings(value: string): string[] {
  const parts: string[] = [];
  for (let at = 0; at < value.length; at += 255) parts.push(value.slice(at, at + 255));
  return parts;
}

/** The zone that publishes every record of the given domains as the product says, plus any extra names. */
export function publishedZone(domains: SendingDomain[], extra: Record<string, string[][]> = {}) {
  const txt: Record<string, string[][]> = {};
  for (const domain of domains)
    for (const record of domainRecords(domain, testConfig().senders))
      txt[record.name] = [...(txt[record.name] ?? []), asStrings(record.value)];
  return zoneResolver({ ...txt, ...extra });
}

/** A customer's domain (with an Ed25519 key beside the RSA one if asked) published in the test zone and checked. */
export async function verifiedDomain(owner: User, { ed25519 = false } = {}): Promise<SendingDomain> {
  const settings = testConfig().senders;
  const domain = await addDomain(owner, { name: `${unique('d')}.example.test`, ed25519 }, settings);
  useDnsResolver(publishedZone([domain]));
  await checkDomain(owner, domain.id, settings);
  return domain;
}

/** An identity on a domain of the owner's. */
export function identityOn(owner: User, domain: SendingDomain, replyTo: string | null = null) {
  return createIdentity(owner, {
    domainId: domain.id,
    displayName: 'Ann Sender',
    fromAddress: `news@${domain.name}`,
    replyTo,
  });
}

/** A result's a= as mailauth gives it at run time (`algo`; its typings call it `algorithm`, which it never sets). */
export const algorithmOf = (result: DKIMResult): string | undefined => (result as DKIMResult & { algo?: string }).algo;
