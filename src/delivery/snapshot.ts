// A run's snapshot: its recipients copied into the delivery log by one set-based statement (docs/PERFORMANCE.md,
// "Imports and snapshots"). On PostgreSQL the foreign key deliveries.run_id → mailing_runs is checked by a trigger
// once per inserted row (a lookup and a key-share lock of the run's row each time, half the time of a
// million-row snapshot). For this one statement that check is redundant: every row carries the run id that the
// same transaction has just inserted and not yet committed, so the run exists and no other transaction can see
// it, let alone delete it, before the rows are committed with it. So, where the database role may, the
// statement runs with `session_replication_role = replica`, which fires no ordinary trigger, and the setting is
// put back right after it. The key itself stays: it still cascades every deletion of a run to its deliveries and
// checks every other write. The only other trigger on inserting a delivery (0028's slot counts) fires for rows
// with an attempt, which a snapshot's rows never have; test/integration/delivery/snapshot.test.ts fails when
// another one appears, so that whoever adds it decides about the snapshot.
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { useBulkWriteCache } from '../db/bulk-write-cache.js';
import { recipientsClause, type RecipientsOf } from './recipients.js';
import { SUPPRESSED_CLIENT } from './suppressions.js';
import { execute, isPostgres, selectRows } from './sql.js';

/** Sort memory for the statement on PostgreSQL: the default 4 MB spills a million recipients' ORDER BY to disk. */
const SNAPSHOT_SORT_MEMORY = '128MB';

/** Whether each database's role may set session_replication_role, asked once per connection pool. */
const replicaRoleAllowed = new WeakMap<Sequelize, Promise<boolean>>();

/**
 * True when the role may set session_replication_role: a superuser, or (PostgreSQL 15 and later) a role granted
 * `SET ON PARAMETER session_replication_role` (docs/DEPLOY.md). Otherwise the snapshot keeps its per-row check.
 */
export function mayFireNoTriggers(sequelize: Sequelize, transaction: Transaction): Promise<boolean> {
  const known = replicaRoleAllowed.get(sequelize);
  if (known) return known;
  const asked = (async () => {
    const [server] = await selectRows<{ superuser: string; version: string }>(
      sequelize,
      "SELECT current_setting('is_superuser') AS superuser, current_setting('server_version_num') AS version",
      {},
      transaction,
    );
    if (server?.superuser === 'on') return true;
    if (Number(server?.version) < 150000) return false;
    const [granted] = await selectRows<{ allowed: boolean }>(
      sequelize,
      "SELECT has_parameter_privilege('session_replication_role', 'SET') AS allowed",
      {},
      transaction,
    );
    return granted?.allowed === true;
  })();
  replicaRoleAllowed.set(sequelize, asked);
  asked.catch(() => replicaRoleAllowed.delete(sequelize));
  return asked;
}

/**
 * Copies the mailing's recipients (recipients.ts) into the log of the run just inserted by this transaction, in
 * client order; a suppressed address is logged failed (class `suppressed`) at once and never mailed
 * (suppressions.ts). Returns how many deliveries it wrote.
 */
export async function snapshotRecipients(
  sequelize: Sequelize,
  runId: number,
  mailing: RecipientsOf,
  now: Date,
  transaction: Transaction,
): Promise<number> {
  const recipients = recipientsClause(mailing);
  const postgres = isPostgres(sequelize);
  const noTriggers = postgres && (await mayFireNoTriggers(sequelize, transaction));
  await useBulkWriteCache(sequelize, transaction);
  if (postgres) await execute(sequelize, `SET LOCAL work_mem = '${SNAPSHOT_SORT_MEMORY}'`, {}, transaction);
  if (noTriggers) await execute(sequelize, 'SET LOCAL session_replication_role = replica', {}, transaction);
  const written = await sequelize.query(
    `INSERT INTO deliveries (run_id, client_id, email, full_name, status, error_class, attempt_count, created_at, updated_at)
     SELECT :runId, c.id, c.email, c.full_name, CASE WHEN ${SUPPRESSED_CLIENT} THEN 'failed' ELSE 'pending' END,
       CASE WHEN ${SUPPRESSED_CLIENT} THEN 'suppressed' END, 0, :now, :now
     ${recipients.sql}
     ORDER BY c.id`,
    // BULKUPDATE: Sequelize then returns the statement's row count on both databases.
    { replacements: { runId, now, ...recipients.replacements }, transaction, type: QueryTypes.BULKUPDATE },
  );
  if (noTriggers) await execute(sequelize, 'SET LOCAL session_replication_role = DEFAULT', {}, transaction);
  return Number(written);
}
