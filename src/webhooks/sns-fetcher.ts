// The one way the SES webhook reaches the network: GETting an SNS signing certificate or a subscription's
// SubscribeURL. Callers check the address first (sns-urls.ts); tests put a fetcher of their own in its place, so
// that no test reaches AWS.
/** Fetches a URL and returns its body as text; rejects on a network error or a status other than 2xx. */
export type SnsFetcher = (url: URL) => Promise<string>;

const TIMEOUT_MS = 10_000;
const MAX_BYTES = 64 * 1024;

const httpsFetcher: SnsFetcher = async (url) => {
  // No redirects: the address was checked, and a redirect could lead anywhere.
  const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${url.host} answered ${response.status}`);
  const body = await response.text();
  if (body.length > MAX_BYTES) throw new Error(`${url.host} answered more than ${MAX_BYTES} bytes`);
  return body;
};

let current: SnsFetcher = httpsFetcher;

/** The fetcher every SNS request goes through. */
export function snsFetcher(): SnsFetcher {
  return current;
}

/** Puts a fetcher in place (tests: one that answers from memory); null restores HTTPS. */
export function useSnsFetcher(fetcher: SnsFetcher | null): void {
  current = fetcher ?? httpsFetcher;
}
