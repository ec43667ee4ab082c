// An address put on an owner's list by a person (by hand or from a CSV file) is left out of runs already under
// way too: their deliveries to it still waiting are failed as `suppressed`, as the snapshot logs a suppressed one.
// A delivery a worker holds is left to it (never sent twice, never taken back mid-send).
import type { Sequelize, Transaction } from 'sequelize';
import { ACTIVE_RUN_STATES, refreshRunCounters } from './runs.js';
import { selectRows } from './sql.js';

/** Addresses per statement (PostgreSQL and SQLite both take this many bound values with room to spare). */
const ADDRESSES_PER_STATEMENT = 500;

/** Fails the owner's waiting deliveries to the (lower-cased) addresses in runs under way; recounts those runs. */
export async function stopSuppressedDeliveries(
  sequelize: Sequelize,
  ownerId: number,
  addresses: readonly string[],
  transaction?: Transaction,
): Promise<void> {
  const runIds = new Set<number>();
  for (let at = 0; at < addresses.length; at += ADDRESSES_PER_STATEMENT) {
    const stopped = await selectRows<{ run_id: number | string }>(
      sequelize,
      `UPDATE deliveries SET status = 'failed', error_class = 'suppressed', smtp_response = :reply,
         next_attempt_at = NULL, updated_at = :now
       WHERE status = 'pending' AND lease_owner IS NULL AND email IN (:addresses)
         AND run_id IN (SELECT r.id FROM mailing_runs r JOIN mailings m ON m.id = r.mailing_id
                        WHERE m.owner_id = :ownerId AND r.state IN (:underWay))
       RETURNING run_id`,
      {
        ownerId,
        addresses: addresses.slice(at, at + ADDRESSES_PER_STATEMENT),
        reply: 'Not sent: the address is on the suppression list',
        now: new Date(),
        underWay: ACTIVE_RUN_STATES,
      },
      transaction,
    );
    for (const row of stopped) runIds.add(Number(row.run_id));
  }
  for (const runId of runIds) await refreshRunCounters(sequelize, runId, transaction);
}
