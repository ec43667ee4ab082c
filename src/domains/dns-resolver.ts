// The one way the product reaches DNS (checks of published records): the system resolver, or the one a test sets.
import { promises as dns } from 'node:dns';

/** mailauth's resolver shape: a name and a record type to the answers (TXT: each record as its strings). */
export type DnsResolver = (name: string, rrtype: string) => Promise<string[][] | string[]>;

const systemResolver: DnsResolver = (name, rrtype) => dns.resolve(name, rrtype) as Promise<string[][] | string[]>;

let current: DnsResolver = systemResolver;

/** The resolver every lookup goes through. */
export function dnsResolver(): DnsResolver {
  return current;
}

/** Puts a resolver in place (tests: a local zone, so that no test reaches the network); null restores DNS. */
export function useDnsResolver(resolver: DnsResolver | null): void {
  current = resolver ?? systemResolver;
}

/** An error as node:dns raises it for a name without records, so that callers read "missing" the same way. */
function notFound(name: string): Error {
  return Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
}

/** A resolver over fixed TXT records (name → records, each record its strings), answering like node:dns. */
export function zoneResolver(txt: Record<string, string[][]>): DnsResolver {
  return (name, rrtype) => {
    const records = txt[name.toLowerCase().replace(/\.$/, '')];
    if (rrtype !== 'TXT' || !records) return Promise.reject(notFound(name));
    return Promise.resolve(records);
  };
}
