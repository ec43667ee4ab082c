// Signed unsubscribe tokens: the link in every e-mail names the client and proves we wrote it.
import { createHmac, timingSafeEqual } from 'node:crypto';

const PURPOSE = 'unsubscribe:v1';

function signature(clientId: number, secret: string): string {
  return createHmac('sha256', secret).update(`${PURPOSE}:${clientId}`).digest('base64url').slice(0, 32);
}

/** Makes the token for a client's unsubscribe link (no database row: the signature is the proof). */
export function signUnsubscribeToken(clientId: number, secret: string): string {
  return `${clientId.toString(36)}.${signature(clientId, secret)}`;
}

/** Returns the client id a token was made for, or null when it is malformed or forged. */
export function verifyUnsubscribeToken(token: string, secret: string): number | null {
  const match = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{32})$/.exec(token);
  if (!match) return null;
  const clientId = parseInt(match[1] as string, 36);
  const expected = Buffer.from(signature(clientId, secret));
  const given = Buffer.from(match[2] as string);
  return expected.length === given.length && timingSafeEqual(expected, given) ? clientId : null;
}
