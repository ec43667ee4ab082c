// Claiming deliveries with a lease, so several workers (processes) never send the same one twice.
import type { Sequelize } from 'sequelize';
import { execute, isPostgres, type Param, runDirect, selectRows, sqlTimestamp, toDate } from './sql.js';

export interface ClaimedDelivery {
  id: number;
  clientId: number | null;
  email: string;
  fullName: string;
  /** The number of this attempt (1 for the first). */
  attempt: number;
  /** When this worker's lease on it runs out unless renewed. */
  leaseExpiresAt: number;
}

interface ClaimRow {
  id: number;
  client_id: number | null;
  email: string;
  full_name: string;
  attempt_count: number;
}

/**
 * Takes up to `limit` due, unleased pending deliveries of a running run for an attempt by `owner`: they
 * become "sending" (one attempt more) under a lease, so a worker that dies leaves them to become `unknown`,
 * never to be sent twice. A paused or cancelled run gives nothing, whichever process paused it. On
 * PostgreSQL the inner SELECT skips rows another worker has locked; SQLite has a single writer, so the
 * statement is atomic. Claimed deliveries not attempted are given back with `releaseUnattempted`.
 */
export async function claimBatch(
  sequelize: Sequelize,
  runId: number,
  owner: string,
  limit: number,
  leaseMs: number,
  now = new Date(),
): Promise<ClaimedDelivery[]> {
  const leaseExpiresAt = now.getTime() + leaseMs;
  const rows = await runDirect<ClaimRow>(
    sequelize,
    (p) => `UPDATE deliveries SET status = 'sending', attempt_count = attempt_count + 1,
       lease_owner = ${p(owner)}, lease_expires_at = ${p(new Date(leaseExpiresAt), 'timestamptz')},
       updated_at = ${p(now, 'timestamptz')}
     WHERE id IN (
       SELECT id FROM deliveries
       WHERE run_id = ${p(runId, 'bigint')} AND status = 'pending'
         AND (next_attempt_at IS NULL OR next_attempt_at <= ${p(now, 'timestamptz')})
         AND (lease_expires_at IS NULL OR lease_expires_at < ${p(now, 'timestamptz')})
         AND EXISTS (SELECT 1 FROM mailing_runs WHERE id = ${p(runId, 'bigint')} AND state = 'running')
       ORDER BY id
       LIMIT ${p(limit, 'int')}
       ${isPostgres(sequelize) ? 'FOR UPDATE SKIP LOCKED' : ''}
     )
     RETURNING id, client_id, email, full_name, attempt_count`,
  );
  return rows
    .map((r) => ({
      id: Number(r.id),
      clientId: r.client_id === null ? null : Number(r.client_id),
      email: r.email,
      fullName: r.full_name,
      attempt: Number(r.attempt_count),
      leaseExpiresAt,
    }))
    .sort((a, b) => a.id - b.id);
}

export interface AttemptResult {
  deliveryId: number;
  attemptedAt: Date;
  status: 'sent' | 'failed' | 'pending';
  reply: string;
  errorClass: string | null;
  messageId: string | null;
  nextAttemptAt: Date | null;
}

/** The outcome table's columns, in the order each outcome's values are listed, with PostgreSQL's types. */
const OUTCOME_COLUMNS = [
  ['id', 'bigint'],
  ['status', 'text'],
  ['reply', 'text'],
  ['error_class', 'text'],
  ['message_id', 'text'],
  ['next_attempt_at', 'timestamptz'],
  ['attempted_at', 'timestamptz'],
  ['sent_at', 'timestamptz'],
] as const;

/**
 * The outcomes as a table, passed in few parameters however many a write carries. PostgreSQL gets one array
 * per column, unnested: the planner then knows how many rows there are and looks each delivery up by its key
 * (with a JSON table it assumed 100 rows and scanned the whole deliveries table per write). SQLite gets one
 * JSON array of rows.
 */
function outcomeTable(sequelize: Sequelize, p: Param, results: AttemptResult[], now: Date): string {
  const time = (date: Date | null): string | null => (date === null ? null : sqlTimestamp(sequelize, date));
  const sentAt = time(now);
  const rows = results.map((r) => [
    r.deliveryId,
    r.status,
    r.reply,
    r.errorClass,
    r.messageId,
    time(r.nextAttemptAt),
    time(r.attemptedAt),
    r.status === 'sent' ? sentAt : null,
  ]);
  if (isPostgres(sequelize)) {
    const column = (i: number): unknown[] => rows.map((row) => row[i]);
    const arrays = OUTCOME_COLUMNS.map(([, type], i) => p(column(i), `${type}[]`));
    return `SELECT * FROM unnest(${arrays.join(', ')}) AS t(${OUTCOME_COLUMNS.map(([name]) => name).join(', ')})`;
  }
  return `SELECT ${OUTCOME_COLUMNS.map(([name], i) => `value ->> ${i} AS ${name}`).join(', ')} FROM json_each(${p(JSON.stringify(rows))})`;
}

/**
 * Logs attempts' results and gives their leases back: one statement for many deliveries, joining them to a
 * table of outcomes (`outcomeTable`). Only rows this worker still holds are written.
 */
export async function recordAttempts(
  sequelize: Sequelize,
  owner: string,
  results: AttemptResult[],
  now = new Date(),
): Promise<void> {
  if (results.length === 0) return;
  await runDirect(
    sequelize,
    (p) => `WITH outcome AS (${outcomeTable(sequelize, p, results, now)})
      UPDATE deliveries SET
        status = outcome.status, smtp_response = outcome.reply, error_class = outcome.error_class,
        smtp_message_id = COALESCE(outcome.message_id, deliveries.smtp_message_id),
        next_attempt_at = outcome.next_attempt_at, last_attempt_at = outcome.attempted_at,
        sent_at = COALESCE(outcome.sent_at, deliveries.sent_at),
        lease_owner = NULL, lease_expires_at = NULL, updated_at = ${p(now, 'timestamptz')}
      FROM outcome
      WHERE deliveries.id = outcome.id AND deliveries.lease_owner = ${p(owner, 'text')}`,
  );
}

/**
 * Extends the leases a live worker holds, so only a dead worker's leases ever expire. Returns the ids still
 * held: one missing was reaped (its lease had run out) and must not be sent by this worker any more.
 */
export async function renewLeases(
  sequelize: Sequelize,
  owner: string,
  ids: number[],
  leaseMs: number,
  now = new Date(),
): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await selectRows<{ id: number }>(
    sequelize,
    `UPDATE deliveries SET lease_expires_at = :expires
     WHERE id IN (:ids) AND lease_owner = :owner AND status = 'sending'
     RETURNING id`,
    { ids, owner, expires: new Date(now.getTime() + leaseMs) },
  );
  return new Set(rows.map((r) => Number(r.id)));
}

/** Gives back claimed deliveries this worker did not attempt (on stop, pause or cancel): pending again. */
export async function releaseUnattempted(sequelize: Sequelize, owner: string, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await execute(
    sequelize,
    `UPDATE deliveries SET status = 'pending', attempt_count = attempt_count - 1,
       lease_owner = NULL, lease_expires_at = NULL
     WHERE id IN (:ids) AND lease_owner = :owner AND status = 'sending'`,
    { ids, owner },
  );
}

export const INTERRUPTED_REPLY =
  'The sending process stopped while this attempt was under way; the server may or may not have accepted the message. Not retried automatically, to avoid sending it twice.';

/**
 * Deliveries whose worker died holding them: their lease ran out while "sending". They become `unknown`
 * (a person may retry them); the claim's time stands as the interrupted attempt's. Returns the runs
 * touched, so their counters can be refreshed.
 */
export async function reapExpiredLeases(sequelize: Sequelize, now = new Date()): Promise<number[]> {
  const rows = await selectRows<{ run_id: number }>(
    sequelize,
    `UPDATE deliveries SET status = 'unknown', error_class = 'interrupted', smtp_response = :reply,
       last_attempt_at = updated_at, lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
     WHERE status = 'sending' AND lease_expires_at < :now
     RETURNING run_id`,
    { now, reply: INTERRUPTED_REPLY },
  );
  return [...new Set(rows.map((r) => Number(r.run_id)))];
}

/** The earliest time a waiting (backed-off) delivery of the run becomes due, if any. */
export async function nextRetryAt(sequelize: Sequelize, runId: number): Promise<Date | null> {
  const rows = await selectRows<{ at: unknown }>(
    sequelize,
    `SELECT MIN(next_attempt_at) AS at FROM deliveries WHERE run_id = :runId AND status = 'pending' AND next_attempt_at IS NOT NULL`,
    { runId },
  );
  return toDate(rows[0]?.at);
}
