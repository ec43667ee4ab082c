// Sending domains: added by a customer (theirs) or an admin (for everyone), their DNS records, their checks.
import { Op, type WhereOptions } from 'sequelize';
import { SendingDomain, type User } from '../db/models/index.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { decryptPrivateKey, encryptPrivateKey, generateDkimKey } from '../delivery/dkim-keys.js';
import { found, NotFoundError, ValidationError } from '../errors.js';
import type { SenderSettings } from '../sender-settings.js';
import { checkDkim, checkDmarc, checkSpf, type DomainCheck } from './dns-check.js';
import { dmarcRecordValue, recordsOf, type DnsRecord } from './dns-records.js';
import type { DomainInput } from './domain.form.js';

/** Who acts: a user (a customer's own domains; an admin also everyone's), or the command line (every domain). */
export type DomainActor = Pick<User, 'id' | 'role'> | 'cli';

const NAME_TAKEN = 'domains.errors.nameTaken';

function isAdmin(actor: DomainActor): boolean {
  return actor === 'cli' || actor.role === 'admin';
}

/** The domains an actor may see and send from: their own and the ones for everyone (an admin: all). */
function visibleWhere(actor: DomainActor): WhereOptions<SendingDomain> {
  if (isAdmin(actor)) return {};
  return { [Op.or]: [{ ownerId: (actor as Pick<User, 'id'>).id }, { ownerId: null }] };
}

/** A selector that names the month the key was made, so that a later key can sit beside it (`mailer202612`). */
export function selectorFor(prefix: string, now: Date, suffix = ''): string {
  return `${prefix}${now.toISOString().slice(0, 7).replace('-', '')}${suffix}`;
}

/**
 * Adds a domain with a fresh DKIM key (RSA 2048; Ed25519 beside it when asked). A customer's domain is theirs;
 * an admin's or the CLI's belongs to `ownerId` (null: for everyone). The private key is stored encrypted only.
 */
export async function addDomain(
  actor: DomainActor,
  input: DomainInput,
  settings: SenderSettings,
  ownerId: number | null = actor === 'cli' ? null : actor.id,
  now = new Date(),
): Promise<SendingDomain> {
  const owner = isAdmin(actor) ? ownerId : (actor as Pick<User, 'id'>).id;
  if (await SendingDomain.findOne({ where: { name: input.name }, attributes: ['id'] }))
    throw new ValidationError({ name: NAME_TAKEN });
  const rsa = generateDkimKey('rsa');
  const ed = input.ed25519 ? generateDkimKey('ed25519') : null;
  try {
    return await SendingDomain.create({
      ownerId: owner,
      name: input.name,
      dkimSelector: selectorFor(settings.dkimSelectorPrefix, now),
      dkimPublicKey: rsa.publicKey,
      dkimPrivateKeyEncrypted: encryptPrivateKey(rsa.privateKeyPem, settings.dkimKeySecret),
      ed25519Selector: ed ? selectorFor(settings.dkimSelectorPrefix, now, 'e') : null,
      ed25519PublicKey: ed?.publicKey ?? null,
      ed25519PrivateKeyEncrypted: ed ? encryptPrivateKey(ed.privateKeyPem, settings.dkimKeySecret) : null,
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new ValidationError({ name: NAME_TAKEN });
    throw error;
  }
}

/** The domains an actor sees, by name. */
export function listDomains(actor: DomainActor): Promise<SendingDomain[]> {
  return SendingDomain.findAll({
    where: visibleWhere(actor),
    order: [
      ['name', 'ASC'],
      ['id', 'ASC'],
    ],
  });
}

/** One domain the actor may see; someone else's is a 404. */
export function findDomain(actor: DomainActor, id: number): Promise<SendingDomain> {
  return found(SendingDomain.findOne({ where: { [Op.and]: [{ id }, visibleWhere(actor)] } }));
}

/** A domain by its name (the CLI's way to name one); an unknown name is one clear error. */
export async function findDomainByName(actor: DomainActor, name: string): Promise<SendingDomain> {
  const domain = await SendingDomain.findOne({
    where: { [Op.and]: [{ name: name.trim().replace(/\.$/, '').toLowerCase() }, visibleWhere(actor)] },
  });
  if (!domain) throw new NotFoundError(`No sending domain "${name}" (see mailer domains list)`);
  return domain;
}

/** The records to publish for a domain. */
export function domainRecords(domain: SendingDomain, settings: SenderSettings): DnsRecord[] {
  return recordsOf(domain, settings.spfMechanism);
}

/**
 * Looks up what the domain has published and keeps the result; the domain is verified while its DKIM record
 * verifies our signature (SPF and DMARC are reported, not required: a relay may pass SPF by its own domain).
 * Checking a domain for everyone is an admin's; a customer may check their own.
 */
export async function checkDomain(actor: DomainActor, id: number, settings: SenderSettings): Promise<DomainCheck> {
  const visible = await findDomain(actor, id);
  if (visible.ownerId === null && !isAdmin(actor)) throw new NotFoundError();
  const domain = await found(SendingDomain.scope('withKeys').findByPk(visible.id));
  const key = decryptPrivateKey(domain.dkimPrivateKeyEncrypted, settings.dkimKeySecret);
  const rsa = await checkDkim(domain, key);
  // The Ed25519 record is shown with its state, not required: every receiver verifies RSA, few verify Ed25519.
  const ed25519 = domain.ed25519PrivateKeyEncrypted
    ? [await checkDkim(domain, decryptPrivateKey(domain.ed25519PrivateKeyEncrypted, settings.dkimKeySecret))]
    : [];
  const records = [
    rsa,
    ...ed25519,
    await checkSpf(domain.name, settings.spfMechanism),
    await checkDmarc(domain.name, dmarcRecordValue(domain.name)),
  ];
  const verified = rsa.state === 'ok';
  const now = new Date();
  await domain.update({
    verifiedAt: verified ? (domain.verifiedAt ?? now) : null,
    checkedAt: now,
    checkResult: JSON.stringify(records),
  });
  return { records, verified };
}

/** The last check kept with a domain, for its page (null before the first). */
export function lastCheckOf(domain: SendingDomain): DomainCheck | null {
  if (!domain.checkResult) return null;
  const records = JSON.parse(domain.checkResult) as DomainCheck['records'];
  return { records, verified: domain.verifiedAt !== null };
}
