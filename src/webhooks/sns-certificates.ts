// Where SNS may send us: its signing certificates and its SubscribeURLs are fetched only from an AWS SNS endpoint,
// `https://sns.<region>.amazonaws.com` (`.com.cn` in China), checked strictly: an SNS message names the URL
// itself, so without this check anybody could sign with a key of their own and point at its certificate. A
// certificate is cached by its URL until it expires (SNS signs with few); a failed fetch is not cached.
import { X509Certificate } from 'node:crypto';
import { snsFetcher } from './sns-fetcher.js';

const SNS_HOST = /^sns\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?$/;

/** The URL if it is an HTTPS address of an SNS endpoint (no user, no port, no fragment), else null. */
export function snsUrl(value: string): URL | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const plain = url.protocol === 'https:' && !url.username && !url.password && !url.port && !url.hash;
  return plain && SNS_HOST.test(url.hostname) ? url : null;
}

/** A signing certificate's URL: an SNS address whose path names a .pem file, else null. */
export function signingCertUrl(value: string): URL | null {
  const url = snsUrl(value);
  return url && !url.search && /^\/[A-Za-z0-9._/-]+\.pem$/.test(url.pathname) ? url : null;
}

const MAX_CACHED = 20;
const cache = new Map<string, Promise<X509Certificate>>();

async function download(url: URL): Promise<X509Certificate> {
  const certificate = new X509Certificate(await snsFetcher()(url));
  const now = Date.now();
  if (Date.parse(certificate.validFrom) > now || Date.parse(certificate.validTo) < now)
    throw new Error(`the certificate at ${url.href} is not valid now`);
  return certificate;
}

/** The certificate at a checked URL, from the cache while it is valid; rejects when it cannot be had. */
export async function signingCertificate(url: URL): Promise<X509Certificate> {
  const cached = cache.get(url.href);
  if (cached) {
    const certificate = await cached;
    if (Date.parse(certificate.validTo) >= Date.now()) return certificate;
    cache.delete(url.href);
  }
  const pending = download(url);
  if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(url.href, pending);
  pending.catch(() => cache.delete(url.href));
  return pending;
}

/** Empties the cache (tests that change what a URL answers). */
export function forgetSigningCertificates(): void {
  cache.clear();
}
