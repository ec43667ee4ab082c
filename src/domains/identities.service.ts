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
 * The identity a mailing may name: null (MAIL_FROM), or one of the mailing owner's; anything else is a field
 * error. The mailing form and the back office read it through here.
 */
export async function identityChoice(owner: Pick<User, 'id'>, id: number | null): Promise<number | null> {
  if (id === null) return null;
  const identity = await SenderIdentity.findOne({ where: { id, ownerId: owner.id }, attributes: ['id'] });
  if (!identity) throw new ValidationError({ senderIdentityId: 'domains.errors.identityUnknown' });
  return identity.id;
}
