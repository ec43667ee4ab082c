// The suppression list's rules for people: a customer reads, adds and removes their own entries (someone else's id
// is a 404); managers and admins read everyone's; only an admin removes a complaint or an unsubscribe (the
// recipient asked for no more mail: their word, not the sender's, lifts it), or any other owner's entry. What the
// engine writes (bounces, complaints, 5.1.x replies, unsubscribes) goes through src/delivery/suppressions.ts.
import { Op, type WhereOptions } from 'sequelize';
import { boundDatabase, Suppression, User, type SuppressionReason } from '../db/models/index.js';
import { findPage } from '../db/deferred-page.js';
import { searchTextContains } from '../db/search-text.js';
import { selectRows } from '../delivery/sql.js';
import { stopSuppressedDeliveries } from '../delivery/suppressed-deliveries.js';
import { forgetSoftBounces, suppressAddress } from '../delivery/suppressions.js';
import { conflict, found, ValidationError } from '../errors.js';
import { roleCan } from '../permissions.js';
import type { SuppressionFilters, SuppressionInput } from './suppression.form.js';

/** Reasons only an admin may lift. */
export const ADMIN_ONLY_REASONS: readonly SuppressionReason[] = ['complaint', 'unsubscribed'];

/** The run a suppression came from, for the link to its log. */
export interface SourceRun {
  runId: number;
  number: number;
  mailingName: string;
}

/** One line of the list: the entry, its owner (for the overseers' list) and the run its delivery was part of. */
export interface SuppressionRow {
  suppression: Suppression;
  owner: Pick<User, 'id' | 'email' | 'fullName'> | null;
  run: SourceRun | null;
  /** Whether the viewer may remove it (the button shows only then). */
  removable: boolean;
}

type Viewer = Pick<User, 'id' | 'role'>;

function seesEveryone(viewer: Viewer): boolean {
  return roleCan(viewer.role, 'suppressions:oversee');
}

/** The entries the viewer may read with the filters: their own, or everyone's (or one owner's) for an overseer. */
function visibleWhere(viewer: Viewer, filters: Partial<SuppressionFilters>): WhereOptions<Suppression> {
  const ownerId = seesEveryone(viewer) ? filters.ownerId : viewer.id;
  const match = searchTextContains(boundDatabase(), 'address', filters.search ?? '');
  return {
    ...(ownerId ? { ownerId } : {}),
    ...(filters.reason ? { reason: filters.reason } : {}),
    ...(match ? { [Op.and]: [match] } : {}),
  };
}

/** Whether the viewer may remove the entry: an admin any, a customer their own that they did not ask for. */
export function mayRemove(viewer: Viewer, entry: Pick<Suppression, 'ownerId' | 'reason'>): boolean {
  if (roleCan(viewer.role, 'suppressions:lift')) return true;
  return (
    roleCan(viewer.role, 'suppressions:write') &&
    entry.ownerId === viewer.id &&
    !ADMIN_ONLY_REASONS.includes(entry.reason)
  );
}

/** How many entries the viewer may read with the filters (for the pager). */
export function countSuppressions(viewer: Viewer, filters: Partial<SuppressionFilters> = {}): Promise<number> {
  return Suppression.count({ where: visibleWhere(viewer, filters) });
}

/** One page of the list, newest first (read through the (owner, created_at, id) index first: deferred-page.ts). */
export async function listSuppressions(
  viewer: Viewer,
  filters: Partial<SuppressionFilters>,
  page: { offset: number; limit: number },
): Promise<SuppressionRow[]> {
  const order: [string, string][] = [
    ['createdAt', 'DESC'],
    ['id', 'DESC'],
  ];
  const entries = await findPage(Suppression, { where: visibleWhere(viewer, filters), order, ...page });
  const [runs, owners] = await Promise.all([
    sourceRuns(entries.flatMap((entry) => (entry.deliveryId ? [entry.deliveryId] : []))),
    User.findAll({
      where: { id: [...new Set(entries.map((entry) => entry.ownerId))] },
      attributes: ['id', 'email', 'fullName'],
    }),
  ]);
  return entries.map((suppression) => ({
    suppression,
    owner: owners.find((owner) => owner.id === suppression.ownerId) ?? null,
    run: suppression.deliveryId ? (runs.get(suppression.deliveryId) ?? null) : null,
    removable: mayRemove(viewer, suppression),
  }));
}

/** The runs the deliveries belong to (a delivery deleted with its mailing has none). */
async function sourceRuns(deliveryIds: number[]): Promise<Map<number, SourceRun>> {
  if (deliveryIds.length === 0) return new Map();
  const rows = await selectRows<{
    id: number | string;
    run_id: number | string;
    number: number | string;
    name: string;
  }>(
    boundDatabase(),
    `SELECT d.id, d.run_id, r.number, m.name FROM deliveries d
     JOIN mailing_runs r ON r.id = d.run_id JOIN mailings m ON m.id = r.mailing_id WHERE d.id IN (:deliveryIds)`,
    { deliveryIds },
  );
  return new Map(
    rows.map((row) => [
      Number(row.id),
      { runId: Number(row.run_id), number: Number(row.number), mailingName: row.name },
    ]),
  );
}

/** The owners an overseer can narrow the list to (everyone who has an entry), by e-mail. */
export async function suppressionOwners(): Promise<User[]> {
  const rows = await selectRows<{ owner_id: number | string }>(
    boundDatabase(),
    'SELECT DISTINCT owner_id FROM suppressions',
    {},
  );
  return User.findAll({
    where: { id: rows.map((row) => Number(row.owner_id)) },
    attributes: ['id', 'email', 'fullName'],
    order: [['email', 'ASC']],
  });
}

/**
 * Puts an address on the owner's list by hand; one already there is a field error. Its deliveries still waiting in
 * runs under way are not sent either.
 */
export async function addSuppression(owner: Pick<User, 'id'>, input: SuppressionInput): Promise<Suppression> {
  const address = input.email.toLowerCase();
  if (await Suppression.findOne({ where: { ownerId: owner.id, address }, attributes: ['id'] }))
    throw new ValidationError({ email: 'suppressions.errors.listed' });
  const sequelize = boundDatabase();
  await sequelize.transaction(async (transaction) => {
    await suppressAddress(sequelize, { ownerId: owner.id, address, reason: 'manual', source: 'manual' }, transaction);
    await stopSuppressedDeliveries(sequelize, owner.id, [address], transaction);
  });
  return found(Suppression.findOne({ where: { ownerId: owner.id, address } }));
}

/** An entry the viewer may change: their own, or any for an admin; anything else is a 404. */
export function findSuppression(viewer: Viewer, id: number): Promise<Suppression> {
  const lift = roleCan(viewer.role, 'suppressions:lift');
  return found(Suppression.findOne({ where: lift ? { id } : { id, ownerId: viewer.id } }));
}

/**
 * Removes an entry the viewer may remove (mayRemove): a customer's own (someone else's is a 404); a complaint or
 * an unsubscribe is refused unless an admin asks. The address's soft bounces start again from none.
 */
export async function removeSuppression(viewer: Viewer, id: number): Promise<Suppression> {
  const entry = await findSuppression(viewer, id);
  if (!mayRemove(viewer, entry))
    throw conflict('Only an admin can remove a complaint or an unsubscribe', 'suppressions.errors.adminOnly');
  await entry.destroy();
  await forgetSoftBounces(boundDatabase(), entry.ownerId, entry.address);
  return entry;
}

/** Which of the owner's addresses are suppressed, and why (the client list marks them). */
export async function suppressionsOf(
  owner: Pick<User, 'id'>,
  addresses: readonly string[],
): Promise<Map<string, SuppressionReason>> {
  if (addresses.length === 0) return new Map();
  const entries = await Suppression.findAll({
    where: { ownerId: owner.id, address: addresses.map((address) => address.toLowerCase()) },
    attributes: ['address', 'reason'],
  });
  return new Map(entries.map((entry) => [entry.address, entry.reason]));
}
