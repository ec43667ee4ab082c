// Unsubscribing a client from its owner's mailings, from the link in an e-mail.
import { boundDatabase, Client, User } from '../db/models/index.js';
import { senderNameOf } from '../delivery/compose.js';
import { stopClientDeliveries } from '../delivery/runs.js';
import { suppressAddress } from '../delivery/suppressions.js';
import { verifyUnsubscribeToken } from '../delivery/unsubscribe-token.js';

/** The client a signed token names, or null for a forged, malformed or stale (deleted client) token. */
export async function clientForToken(token: string, secret: string): Promise<Client | null> {
  const clientId = verifyUnsubscribeToken(token, secret);
  return clientId === null ? null : Client.findByPk(clientId);
}

/** Who sent the client the e-mail, named as its footer names them (the client's owner). */
export async function senderOfClient(client: Client, from: string): Promise<string> {
  const owner = await User.findByPk(client.ownerId, { attributes: ['id', 'fullName'] });
  return senderNameOf(owner?.fullName ?? '', from);
}

/**
 * Marks the client unsubscribed (once; the first time is kept), puts the address on its owner's suppression list
 * (reason `unsubscribed`: it stays suppressed even if the client is deleted and added again) and drops its
 * deliveries still waiting in runs under way, so nothing more reaches them. Later runs skip it when they snapshot
 * recipients.
 */
export async function unsubscribeClient(client: Client, now = new Date()): Promise<void> {
  if (!client.unsubscribedAt) await client.update({ unsubscribedAt: now });
  const entry = {
    ownerId: client.ownerId,
    address: client.email,
    reason: 'unsubscribed',
    source: 'unsubscribe',
  } as const;
  await suppressAddress(boundDatabase(), entry);
  await stopClientDeliveries(boundDatabase(), client.id, {
    errorClass: 'unsubscribed',
    reply: 'Not sent: the recipient unsubscribed',
  });
}
