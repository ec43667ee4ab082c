// The operator's settings beside the product's: who may read /metrics and where, and which proxies to believe.
import net from 'node:net';

/** What Express's `trust proxy` is given: off, a number of hops, or the proxies' addresses (names or CIDRs). */
export type TrustProxy = false | number | string[];

/** How /metrics is reached and which reverse proxies are believed (README, docs/DEPLOY.md). */
export interface OperationsSettings {
  /** A bearer token /metrics asks for; null: no token (then only METRICS_PORT serves it). */
  metricsToken: string | null;
  /** A port of its own for /metrics; null: none (then only the token opens it on the site's port). */
  metricsPort: number | null;
  /** The address the metrics port listens on. */
  metricsHost: string;
  trustProxy: TrustProxy;
}

/** A bad operations setting: the variable and what is wrong with it (config.ts turns it into a ConfigError). */
export class OperationsSettingError extends Error {
  constructor(
    readonly variable: string,
    detail: string,
  ) {
    super(detail);
  }
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** True for an IP address, or an address with a prefix length its family allows (10.0.0.0/8, fd00::/8). */
function isAddressOrCidr(value: string): boolean {
  const [address = '', prefix, extra] = value.split('/');
  const family = net.isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** TRUST_PROXY: `off` (the default), a hop count, or a comma-separated list of loopback/linklocal/uniquelocal/addresses/CIDRs. */
export function parseTrustProxy(raw: string): TrustProxy {
  const value = raw.trim().toLowerCase();
  if (value === '' || value === 'off' || value === 'false' || value === '0') return false;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > 10) throw new OperationsSettingError('TRUST_PROXY', 'must count at most 10 proxies');
    return hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.find((entry) => !PROXY_NAMES.has(entry) && !isAddressOrCidr(entry));
  if (bad !== undefined)
    throw new OperationsSettingError(
      'TRUST_PROXY',
      `must be off, a number of proxies, or a list of loopback, linklocal, uniquelocal, IP addresses and CIDRs (not "${bad}")`,
    );
  return entries;
}

function metricsTokenOf(raw: string): string | null {
  if (raw === '') return null;
  if (!/^[\x21-\x7e]{16,256}$/.test(raw))
    throw new OperationsSettingError(
      'METRICS_TOKEN',
      'must be 16 to 256 visible ASCII characters without spaces (e.g. openssl rand -hex 24)',
    );
  return raw;
}

function metricsPortOf(raw: string, webPort: number | null): number | null {
  if (raw === '') return null;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65535)
    throw new OperationsSettingError('METRICS_PORT', 'must be a port number from 1 to 65535');
  if (port === webPort) throw new OperationsSettingError('METRICS_PORT', 'must differ from PORT');
  return port;
}

/** Reads METRICS_TOKEN, METRICS_PORT, METRICS_HOST and TRUST_PROXY; throws OperationsSettingError naming the variable. */
export function readOperationsSettings(env: Record<string, string | undefined>, webPort: number): OperationsSettings {
  const host = (env.METRICS_HOST ?? '').trim() || '127.0.0.1';
  if (net.isIP(host) === 0 && host !== 'localhost')
    throw new OperationsSettingError('METRICS_HOST', 'must be an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0');
  return {
    metricsToken: metricsTokenOf((env.METRICS_TOKEN ?? '').trim()),
    metricsPort: metricsPortOf((env.METRICS_PORT ?? '').trim(), webPort === 0 ? null : webPort),
    metricsHost: host,
    trustProxy: parseTrustProxy(env.TRUST_PROXY ?? ''),
  };
}
