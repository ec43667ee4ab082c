// The suppression list's writes and the one rule of who is suppressed: an owner's mailings never go to an address
// on that owner's list. The engine writes it (a 5.1.x reply while sending, a bounce, a complaint), the
// suppressions screen through its service; the run snapshot reads SUPPRESSED_CLIENT.
import type { Sequelize, Transaction } from 'sequelize';
import type { SuppressionReason, SuppressionSource } from '../db/models/index.js';
import { execute } from './sql.js';

/** One entry to put on an owner's list. */
export interface SuppressionEntry {
  ownerId: number;
  address: string;
  reason: SuppressionReason;
  source: SuppressionSource;
  deliveryId?: number | null;
  diagnostic?: string | null;
}

/** The condition (over clients `c`) that the client's owner has suppressed its address. */
export const SUPPRESSED_CLIENT = `EXISTS (SELECT 1 FROM suppressions s WHERE s.owner_id = c.owner_id AND s.address = c.email)`;

/**
 * Puts an address on its owner's list; one already there keeps its first entry, except that a complaint replaces
 * a weaker reason (so that removing it needs an admin).
 */
export async function suppressAddress(
  sequelize: Sequelize,
  entry: SuppressionEntry,
  transaction?: Transaction,
): Promise<void> {
  const replacements = {
    ownerId: entry.ownerId,
    address: entry.address.trim().toLowerCase(),
    reason: entry.reason,
    source: entry.source,
    deliveryId: entry.deliveryId ?? null,
    diagnostic: entry.diagnostic?.slice(0, 2000) ?? null,
    now: new Date(),
  };
  await execute(
    sequelize,
    `INSERT INTO suppressions (owner_id, address, reason, source, delivery_id, diagnostic, created_at)
     VALUES (:ownerId, :address, :reason, :source, :deliveryId, :diagnostic, :now)
     ON CONFLICT (owner_id, address) DO ${
       entry.reason === 'complaint'
         ? `UPDATE SET reason = excluded.reason, source = excluded.source, delivery_id = excluded.delivery_id,
              diagnostic = excluded.diagnostic`
         : 'NOTHING'
     }`,
    replacements,
    transaction,
  );
}

/**
 * Counts one soft bounce of a delivery (a repeated report of the same delivery counts once) and returns the
 * address's soft bounces in a row; a delivery accepted without a bounce does not reset it (nothing tells us).
 */
export async function countSoftBounce(
  sequelize: Sequelize,
  ownerId: number,
  address: string,
  deliveryId: number,
): Promise<number> {
  const replacements = { ownerId, address: address.trim().toLowerCase(), deliveryId, now: new Date() };
  await execute(
    sequelize,
    `INSERT INTO soft_bounces (owner_id, address, count, last_delivery_id, updated_at)
     VALUES (:ownerId, :address, 1, :deliveryId, :now)
     ON CONFLICT (owner_id, address) DO UPDATE SET
       count = CASE WHEN soft_bounces.last_delivery_id = excluded.last_delivery_id THEN soft_bounces.count
                    ELSE soft_bounces.count + 1 END,
       last_delivery_id = excluded.last_delivery_id, updated_at = excluded.updated_at`,
    replacements,
  );
  const [rows] = await sequelize.query(
    'SELECT count FROM soft_bounces WHERE owner_id = :ownerId AND address = :address',
    {
      replacements,
    },
  );
  return Number((rows as Array<{ count: number | string }>)[0]?.count ?? 0);
}

/** Forgets an address's soft bounces (its suppression was removed: it starts again from none). */
export async function forgetSoftBounces(sequelize: Sequelize, ownerId: number, address: string): Promise<void> {
  await execute(sequelize, 'DELETE FROM soft_bounces WHERE owner_id = :ownerId AND address = :address', {
    ownerId,
    address: address.trim().toLowerCase(),
  });
}

/** A permanent reply that says the mailbox does not exist (RFC 3463 5.1.x: bad address, no such user, bad domain). */
export function isNoSuchUser(reply: string): boolean {
  return (
    /^5\d\d[ -]5\.1\.\d{1,3}\b/.test(reply) ||
    (/^550[ -](?!5\.\d)/.test(reply) && /no such user|user unknown|does not exist/i.test(reply))
  );
}

/** Suppresses a delivery's address for its mailing's owner when the server refused it as a 5.1.x (while sending). */
export async function suppressNoSuchUser(sequelize: Sequelize, deliveryId: number, reply: string): Promise<void> {
  if (!isNoSuchUser(reply)) return;
  await execute(
    sequelize,
    `INSERT INTO suppressions (owner_id, address, reason, source, delivery_id, diagnostic, created_at)
     SELECT m.owner_id, d.email, 'hard_bounce', 'smtp', d.id, :reply, :now
     FROM deliveries d JOIN mailing_runs r ON r.id = d.run_id JOIN mailings m ON m.id = r.mailing_id
     WHERE d.id = :deliveryId
     ON CONFLICT (owner_id, address) DO NOTHING`,
    { deliveryId, reply: reply.slice(0, 2000), now: new Date() },
  );
}
