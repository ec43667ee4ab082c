// Who a mailing's run goes to, the one rule: the clients chosen for it (mailing_clients), or, for an "all my
// clients" mailing, every client its owner has at that moment; in both cases none that unsubscribed. The run's
// snapshot (runs.ts) and the count on the mailing's page read the same clause.
import type { Sequelize, Transaction } from 'sequelize';
import type { Mailing } from '../db/models/index.js';
import { selectRows } from './sql.js';

/** What the rule needs of a mailing. */
export type RecipientsOf = Pick<Mailing, 'id' | 'ownerId' | 'allClients'>;

/**
 * The FROM … WHERE clause of the mailing's recipients as `c` (clients), with its replacements (`recipientsMailingId`,
 * `recipientsOwnerId`). The chosen clients are read through mailing_clients' key, all of them through the
 * clients' (owner_id, …) index.
 */
export function recipientsClause(mailing: RecipientsOf): { sql: string; replacements: Record<string, number> } {
  const sql = mailing.allClients
    ? `FROM clients c WHERE c.owner_id = :recipientsOwnerId AND c.unsubscribed_at IS NULL`
    : `FROM mailing_clients mc JOIN clients c ON c.id = mc.client_id
       WHERE mc.mailing_id = :recipientsMailingId AND c.unsubscribed_at IS NULL`;
  return { sql, replacements: { recipientsMailingId: mailing.id, recipientsOwnerId: mailing.ownerId } };
}

/** How many clients a run of the mailing started now would go to. */
export async function countRecipients(
  sequelize: Sequelize,
  mailing: RecipientsOf,
  transaction?: Transaction,
): Promise<number> {
  const { sql, replacements } = recipientsClause(mailing);
  const [row] = await selectRows<{ n: number | string }>(
    sequelize,
    `SELECT COUNT(*) AS n ${sql}`,
    replacements,
    transaction,
  );
  return Number(row?.n ?? 0);
}

/**
 * The condition (over clients `c`) that some mailing is addressed to the client, whatever its state: chosen for
 * one, or the owner has an "all my clients" mailing (the home page's statistics).
 */
export const ADDRESSED_BY_A_MAILING = `(EXISTS (SELECT 1 FROM mailing_clients mc WHERE mc.client_id = c.id)
  OR EXISTS (SELECT 1 FROM mailings m WHERE m.owner_id = c.owner_id AND m.all_clients))`;
