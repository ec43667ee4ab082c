// The per-delivery envelope sender (VERP): `bounces+<delivery>.<mac>@<bounce domain>`. A bounce comes back to the
// address the message was sent from, so the address names the delivery; the HMAC makes it unforgeable, so nobody
// can mark someone else's delivery bounced (or suppress an address) by mailing a made-up one.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What signing and reading the addresses needs (config.bounces). */
export interface VerpSettings {
  domain: string | null;
  secret: string;
}

const LOCAL_PART = /^bounces\+(\d{1,15})\.([a-z0-9]{16})$/;

function macOf(deliveryId: number, secret: string): string {
  // base32-like lower-case letters and digits only: local parts are often lower-cased on the way back.
  const digest = createHmac('sha256', secret).update(`delivery:${deliveryId}`).digest();
  return BigInt(`0x${digest.subarray(0, 10).toString('hex')}`)
    .toString(36)
    .padStart(16, '0')
    .slice(-16);
}

/** The envelope sender of one delivery, or null when no bounce domain is configured. */
export function bounceAddressOf(deliveryId: number, settings: VerpSettings): string | null {
  return settings.domain ? `bounces+${deliveryId}.${macOf(deliveryId, settings.secret)}@${settings.domain}` : null;
}

/** The delivery an address (a bounce's recipient) names, or null when it is not ours or its MAC is wrong. */
export function deliveryOfBounceAddress(address: string, settings: VerpSettings): number | null {
  if (!settings.domain) return null;
  const lower = address.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 0 || lower.slice(at + 1) !== settings.domain) return null;
  const match = LOCAL_PART.exec(lower.slice(0, at));
  if (!match) return null;
  const deliveryId = Number(match[1]);
  const expected = Buffer.from(macOf(deliveryId, settings.secret));
  const given = Buffer.from(match[2] as string);
  return expected.length === given.length && timingSafeEqual(expected, given) ? deliveryId : null;
}
