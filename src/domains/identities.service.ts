// Sender identities: the From and Reply-To a customer's mailings send as, on a domain they may send from.
import { boundDatabase, Mailing, SenderIdentity, SendingDomain, type User } from '../db/models/index.js';
import { found, NotFoundError, ValidationError } from '../errors.js';
import { findDomain } from './domains.service.js';
import type { IdentityInput } from './domain.form.js';

const WITH_DOMAIN = [{ model: SendingDomain, as: 'domain' }];

/** A customer's identities, each with its domain (for its verified state). */
export function listIdentities(owner: Pick<User, 'id'>): Promise<SenderIdentity[]> {
  return SenderIdentity.findAll({ where: { ownerId: owner.id }, include: WITH_DOMAIN, order: [['id', 'ASC']] });
}

/** One of the owner's identities; someone else's is a 404. */
export function findIdentity(owner: Pick<User, 'id'>, id: number): Promise<SenderIdentity> {
  return found(SenderIdentity.findOne({ where: { id, ownerId: owner.id }, include: WITH_DOMAIN }));
}

/**
 * Adds an identity: its domain must be one the owner may send from (theirs or for everyone), and its From must
 * be an address on that domain, so that DKIM (d=) and DMARC align. The domain need not be verified yet: the
 * mailing refuses to start until it is.
 */
export async function createIdentity(owner: Pick<User, 'id' | 'role'>, input: IdentityInput): Promise<SenderIdentity> {
  const domain = await findDomain(owner, input.domainId).catch((error: unknown) => {
    if (error instanceof NotFoundError) throw new ValidationError({ domainId: 'domains.errors.domainUnknown' });
    throw error;
  });
  const fromAddress = input.fromAddress.toLowerCase();
  if (!fromAddress.endsWith(`@${domain.name}`))
    throw new ValidationError({ fromAddress: 'domains.errors.fromNotOnDomain' });
  const identity = await SenderIdentity.create({
    ownerId: owner.id,
    domainId: domain.id,
    displayName: input.displayName,
    fromAddress,
    replyTo: input.replyTo,
  });
  return findIdentity(owner, identity.id);
}

/** Removes one of the owner's identities (its mailings go back to MAIL_FROM). */
export async function deleteIdentity(owner: Pick<User, 'id'>, id: number): Promise<void> {
  const identity = await findIdentity(owner, id);
  // The mailings' reference is a plain column (migration 0019 says why): cleared here, in the same transaction.
  await boundDatabase().transaction(async (transaction) => {
    await Mailing.update({ senderIdentityId: null }, { where: { senderIdentityId: identity.id }, transaction });
    await identity.destroy({ transaction });
  });
}

/**
 * Why a mailing may not name the identity (an i18n key for the `senderIdentityId` field), or null when it may: none
 * (MAIL_FROM), or one of the mailing owner's on a verified domain. The identity it names already (`current`) may
 * stay while its domain is unverified: the mailing then refuses to start, saying why (sender-profile.ts). The
 * site's mailing form and the back office's mailing screen both ask here.
 */
export async function identityProblem(
  owner: Pick<User, 'id'>,
  id: number | null,
  current: number | null = null,
): Promise<string | null> {
  if (id === null) return null;
  const identity = await SenderIdentity.findOne({ where: { id, ownerId: owner.id }, include: WITH_DOMAIN });
  if (!identity) return 'domains.errors.identityUnknown';
  if (!identity.domain?.verifiedAt && id !== current) return 'domains.errors.identityUnverified';
  return null;
}

/** One choice of the mailing form's "Send as" select. */
export interface IdentityOption {
  id: number;
  label: string;
  verified: boolean;
}

/** `Ann <news@example.com>`, as the choice and the mailing page name an identity. */
export function identityLabel(identity: Pick<SenderIdentity, 'displayName' | 'fromAddress'>): string {
  return identity.displayName ? `${identity.displayName} <${identity.fromAddress}>` : identity.fromAddress;
}

/** The identities a mailing of the owner can be set to: those on verified domains, and the one it has (`current`). */
export async function identityOptions(
  owner: Pick<User, 'id'>,
  current: number | null = null,
): Promise<IdentityOption[]> {
  const identities = await listIdentities(owner);
  return identities
    .filter((identity) => identity.domain?.verifiedAt || identity.id === current)
    .map((identity) => ({ id: identity.id, label: identityLabel(identity), verified: !!identity.domain?.verifiedAt }));
}

/** The identity a mailing sends as, with its domain, for its page (null: MAIL_FROM, or one deleted meanwhile). */
export async function identityOfMailing(
  mailing: Pick<Mailing, 'senderIdentityId' | 'ownerId'>,
): Promise<SenderIdentity | null> {
  if (mailing.senderIdentityId === null) return null;
  return SenderIdentity.findOne({
    where: { id: mailing.senderIdentityId, ownerId: mailing.ownerId },
    include: WITH_DOMAIN,
  });
}
