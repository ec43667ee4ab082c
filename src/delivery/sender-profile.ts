// What a mailing sends as: its sender identity on a verified domain, with the domain's key opened for signing.
import type { Transaction } from 'sequelize';
import { SenderIdentity, SendingDomain } from '../db/models/index.js';
import type { SenderSettings } from '../sender-settings.js';
import type { SenderProfile } from './compose.js';
import { decryptPrivateKey } from './dkim-keys.js';
import type { DkimSigning } from './dkim-sign.js';

/** `"Display Name" <address>`: quoted, so that any name survives the address parser. */
export function fromHeaderOf(displayName: string, address: string): string {
  const name = displayName.replace(/[\r\n]+/g, ' ').trim();
  return name ? `"${name.replace(/["\\]/g, '\\$&')}" <${address}>` : address;
}

async function identityWithDomain(identityId: number, transaction?: Transaction): Promise<SenderIdentity | null> {
  return SenderIdentity.findByPk(identityId, {
    include: [{ model: SendingDomain.scope('withKeys'), as: 'domain' }],
    transaction,
  });
}

/**
 * Why a mailing may not start as its identity, or null when it may (no identity: MAIL_FROM, as system mail).
 * The one rule the site, the CLI and the scheduler share, through startRunNow and dispatchDueRun.
 */
export async function senderProblem(
  mailing: { senderIdentityId: number | null },
  transaction?: Transaction,
): Promise<SenderProblem | null> {
  if (mailing.senderIdentityId === null) return null;
  const identity = await identityWithDomain(mailing.senderIdentityId, transaction);
  const domain = identity?.domain?.name ?? '?';
  if (identity?.domain?.verifiedAt) return null;
  return {
    reason: `The sending domain ${domain} is not verified: publish its DNS records and check it`,
    key: 'mailings.errors.senderUnverified',
    values: { domain },
  };
}

/** Why a mailing cannot start as its identity: English text for logs and the CLI, a key for the screens. */
export interface SenderProblem {
  reason: string;
  key: string;
  values: { domain: string };
}

/** The profile a run's messages are composed with; null for a mailing without an identity. */
export async function senderProfileOf(
  mailing: { senderIdentityId: number | null },
  settings: SenderSettings,
): Promise<SenderProfile | null> {
  if (mailing.senderIdentityId === null) return null;
  const identity = await identityWithDomain(mailing.senderIdentityId);
  const domain = identity?.domain;
  if (!identity || !domain) return null;
  return {
    from: fromHeaderOf(identity.displayName, identity.fromAddress),
    replyTo: identity.replyTo,
    domain: domain.name,
    dkim: {
      domainName: domain.name,
      keySelector: domain.dkimSelector,
      privateKey: decryptPrivateKey(domain.dkimPrivateKeyEncrypted, settings.dkimKeySecret),
      ed25519: ed25519KeyOf(domain, settings),
    },
  };
}

/** The domain's optional Ed25519 key, opened as the RSA key is (same DKIM_KEY_SECRET); null when it has none. */
function ed25519KeyOf(domain: SendingDomain, settings: SenderSettings): DkimSigning['ed25519'] {
  if (!domain.ed25519Selector || !domain.ed25519PrivateKeyEncrypted) return null;
  return {
    keySelector: domain.ed25519Selector,
    privateKey: decryptPrivateKey(domain.ed25519PrivateKeyEncrypted, settings.dkimKeySecret),
  };
}
