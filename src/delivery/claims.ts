// Claiming deliveries with a lease, so several workers (processes) never send the same one twice.
import type { Sequelize } from 'sequelize';
import { CONNECTION_ERROR_CLASSES } from './smtp-outcome.js';
import { execute, isPostgres, type Param, runDirect, selectRows, sqlTimestamp, toDate } from './sql.js';

export interface ClaimedDelivery {
  id: number;
  clientId: number | null;
  email: string;
  fullName: string;
  /** The number of the attempt a send would be (1 for the first). */
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

/** The recipient domain of a delivery's address in SQL, as `destinationGroupOf` reads it: after the first `@`. */
function recipientDomain(sequelize: Sequelize): string {
  return isPostgres(sequelize) ? "lower(split_part(email, '@', 2))" : "lower(substr(email, instr(email, '@') + 1))";
}

/** The condition that leaves out the deliveries to these recipient domains; empty when there are none. */
function outsideDomains(sequelize: Sequelize, p: Param, domains: readonly string[]): string {
  if (domains.length === 0) return '';
  const domain = recipientDomain(sequelize);
  return isPostgres(sequelize)
    ? `AND NOT (${domain} = ANY(${p(domains, 'text[]')}))`
    : `AND ${domain} NOT IN (SELECT value FROM json_each(${p(JSON.stringify(domains))}))`;
}

/**
 * Takes up to `limit` due, unleased pending deliveries of a running run whose owner is not blocked, for
 * `owner`: they become "sending" under a lease, reserved but not yet on the wire (the attempt is counted when
 * a lane marks it, see `writeLaneResults`). A paused or cancelled run, or a blocked owner's, gives nothing,
 * whichever process paused or blocked it. Deliveries to `skipDomains` (destination groups waiting after a
 * deferral, or with enough claimed already) stay for later, so other groups keep flowing. On PostgreSQL the
 * inner SELECT skips rows another worker has locked; SQLite has a single writer, so the statement is atomic.
 * Claims not attempted are given back with `releaseUnattempted`.
 */
export async function claimBatch(
  sequelize: Sequelize,
  runId: number,
  owner: string,
  limit: number,
  leaseMs: number,
  now = new Date(),
  skipDomains: readonly string[] = [],
): Promise<ClaimedDelivery[]> {
  const leaseExpiresAt = now.getTime() + leaseMs;
  const rows = await runDirect<ClaimRow>(
    sequelize,
    (p) => `UPDATE deliveries SET status = 'sending', attempt_started_at = NULL,
       lease_owner = ${p(owner)}, lease_expires_at = ${p(new Date(leaseExpiresAt), 'timestamptz')},
       updated_at = ${p(now, 'timestamptz')}
     WHERE id IN (
       SELECT id FROM deliveries
       WHERE run_id = ${p(runId, 'bigint')} AND status = 'pending'
         AND (next_attempt_at IS NULL OR next_attempt_at <= ${p(now, 'timestamptz')})
         AND (lease_expires_at IS NULL OR lease_expires_at < ${p(now, 'timestamptz')})
         AND EXISTS (${RUN_MAY_SEND.replace(':runId', p(runId, 'bigint'))})
         ${outsideDomains(sequelize, p, skipDomains)}
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
      attempt: Number(r.attempt_count) + 1,
      leaseExpiresAt,
    }))
    .sort((a, b) => a.id - b.id);
}

/** A row exists while the run is running and its mailing's owner is not blocked: the condition of every claim. */
export const RUN_MAY_SEND = `SELECT 1 FROM mailing_runs r JOIN mailings m ON m.id = r.mailing_id JOIN users u ON u.id = m.owner_id
  WHERE r.id = :runId AND r.state = 'running' AND NOT u.is_blocked`;

export interface AttemptResult {
  deliveryId: number;
  attemptedAt: Date;
  status: 'sent' | 'failed' | 'pending' | 'unknown';
  reply: string;
  errorClass: string | null;
  messageId: string | null;
  nextAttemptAt: Date | null;
  /** False when the attempt does not count against the delivery's budget (a failure during an SMTP outage). */
  counted: boolean;
}

/**
 * What one lane writes at once: the outcome of the send it just finished and the mark of the delivery it will
 * send after the next one. Both travel in one statement, so a lane never holds more than two deliveries that
 * are on the wire or sent but not logged: all a crash can leave `unknown`.
 */
export interface LaneWrite {
  outcome: AttemptResult | null;
  markId: number | null;
}

/**
 * A claimed row is still being sent, tested so that PostgreSQL finds the rows of a statement by their keys: a
 * plain `status = 'sending'` lets it scan the partial lease index instead, which until a vacuum still lists
 * every row the run has claimed so far (measured late in a 20,000 run: 300 pages read per lane write, not 37).
 */
const STILL_SENDING = "COALESCE(deliveries.status, '') = 'sending'";

/** The outcome table's columns, in the order each row's values are listed, with PostgreSQL's types. */
const OUTCOME_COLUMNS = [
  ['id', 'bigint'],
  ['mark', 'int'],
  ['status', 'text'],
  ['reply', 'text'],
  ['error_class', 'text'],
  ['message_id', 'text'],
  ['next_attempt_at', 'timestamptz'],
  ['attempted_at', 'timestamptz'],
  ['sent_at', 'timestamptz'],
  ['refund', 'int'],
] as const;

/**
 * The outcomes and marks as a table, passed in few parameters however many a write carries. PostgreSQL gets
 * one array per column, unnested: the planner then knows how many rows there are and looks each delivery up
 * by its key (with a JSON table it assumed 100 rows and scanned the whole deliveries table per write). SQLite
 * gets one JSON array of rows.
 */
function outcomeTable(sequelize: Sequelize, p: Param, writes: LaneWrite[], now: Date): string {
  const time = (date: Date | null): string | null => (date === null ? null : sqlTimestamp(sequelize, date));
  const stamp = time(now);
  const rows: unknown[][] = [];
  for (const { outcome: r, markId } of writes) {
    if (r) {
      const sentAt = r.status === 'sent' ? stamp : null;
      rows.push([
        r.deliveryId,
        0,
        r.status,
        r.reply,
        r.errorClass,
        r.messageId,
        time(r.nextAttemptAt),
        time(r.attemptedAt),
        sentAt,
        r.counted ? 0 : 1,
      ]);
    }
    if (markId !== null) rows.push([markId, 1, null, null, null, null, null, stamp, null, 0]);
  }
  if (isPostgres(sequelize)) {
    const column = (i: number): unknown[] => rows.map((row) => row[i]);
    const arrays = OUTCOME_COLUMNS.map(([, type], i) => p(column(i), `${type}[]`));
    return `SELECT * FROM unnest(${arrays.join(', ')}) AS t(${OUTCOME_COLUMNS.map(([name]) => name).join(', ')})`;
  }
  return `SELECT ${OUTCOME_COLUMNS.map(([name], i) => `value ->> ${i} AS ${name}`).join(', ')} FROM json_each(${p(JSON.stringify(rows))})`;
}

/** `column = CASE WHEN the row is a mark THEN keep ELSE outcome's END`, for the columns only an outcome sets. */
function outcomeOnly(column: string, value: string): string {
  return `${column} = CASE WHEN outcome.mark = 1 THEN deliveries.${column} ELSE ${value} END`;
}

/**
 * Logs outcomes and marks deliveries as handed to the SMTP server, in one statement for many lanes, joining
 * the deliveries to a table of both (`outcomeTable`). A mark counts the attempt and notes when it began; an
 * outcome ends the attempt and gives the lease back. Only rows this worker still holds are written. Returns
 * the ids written (outcomes and marks alike): a lane sends a delivery only once its mark's id is among them.
 */
export async function writeLaneResults(
  sequelize: Sequelize,
  owner: string,
  writes: LaneWrite[],
  now = new Date(),
): Promise<Set<number>> {
  if (writes.length === 0) return new Set();
  const rows = await runDirect<{ id: number }>(
    sequelize,
    (p) => `WITH outcome AS (${outcomeTable(sequelize, p, writes, now)})
      UPDATE deliveries SET
        ${outcomeOnly('status', 'outcome.status')}, ${outcomeOnly('smtp_response', 'outcome.reply')},
        ${outcomeOnly('error_class', 'outcome.error_class')},
        smtp_message_id = COALESCE(outcome.message_id, deliveries.smtp_message_id),
        ${outcomeOnly('next_attempt_at', 'outcome.next_attempt_at')},
        ${outcomeOnly('last_attempt_at', 'outcome.attempted_at')},
        sent_at = COALESCE(outcome.sent_at, deliveries.sent_at),
        attempt_count = deliveries.attempt_count + CASE WHEN outcome.mark = 1 THEN 1 ELSE -outcome.refund END,
        attempt_started_at = CASE WHEN outcome.mark = 1 THEN outcome.attempted_at ELSE NULL END,
        ${outcomeOnly('lease_owner', 'NULL')}, ${outcomeOnly('lease_expires_at', 'NULL')},
        updated_at = ${p(now, 'timestamptz')}
      FROM outcome
      WHERE deliveries.id = outcome.id AND deliveries.lease_owner = ${p(owner, 'text')} AND ${STILL_SENDING}
      RETURNING deliveries.id`,
  );
  return new Set(rows.map((r) => Number(r.id)));
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
     WHERE id IN (:ids) AND lease_owner = :owner AND ${STILL_SENDING}
     RETURNING id`,
    { ids, owner, expires: new Date(now.getTime() + leaseMs) },
  );
  return new Set(rows.map((r) => Number(r.id)));
}

/**
 * Gives back claimed deliveries this worker did not send (on stop, pause, cancel, or a lease in doubt):
 * pending again, and a mark already written is taken back with the attempt it counted.
 */
export async function releaseUnattempted(sequelize: Sequelize, owner: string, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await execute(
    sequelize,
    `UPDATE deliveries SET status = 'pending',
       attempt_count = attempt_count - CASE WHEN attempt_started_at IS NULL THEN 0 ELSE 1 END,
       attempt_started_at = NULL, lease_owner = NULL, lease_expires_at = NULL
     WHERE id IN (:ids) AND lease_owner = :owner AND ${STILL_SENDING}`,
    { ids, owner },
  );
}

export const INTERRUPTED_REPLY =
  'The sending process stopped while this attempt was under way; the server may or may not have accepted the message. Not retried automatically, to avoid sending it twice.';

/**
 * Deliveries whose worker died holding them: their lease ran out while "sending". Those it had handed to the
 * SMTP server (marked) become `unknown`, with the mark's time as the interrupted attempt's (the server may
 * have accepted them; a person may retry them); the rest were only reserved and go back to `pending`.
 * Returns the runs touched, so their counters can be refreshed.
 */
export async function reapExpiredLeases(sequelize: Sequelize, now = new Date()): Promise<number[]> {
  const started = 'attempt_started_at IS NOT NULL';
  const rows = await selectRows<{ run_id: number }>(
    sequelize,
    `UPDATE deliveries SET status = CASE WHEN ${started} THEN 'unknown' ELSE 'pending' END,
       error_class = CASE WHEN ${started} THEN 'interrupted' ELSE error_class END,
       smtp_response = CASE WHEN ${started} THEN :reply ELSE smtp_response END,
       last_attempt_at = CASE WHEN ${started} THEN attempt_started_at ELSE last_attempt_at END,
       attempt_started_at = NULL, lease_owner = NULL, lease_expires_at = NULL, updated_at = :now
     WHERE status = 'sending' AND lease_expires_at < :now
     RETURNING run_id`,
    { now, reply: INTERRUPTED_REPLY },
  );
  return [...new Set(rows.map((r) => Number(r.run_id)))];
}

/**
 * When there may be work on the run again: the earliest backed-off retry, the earliest lease another worker
 * holds (it may have died: its claims are reaped then), or the end of a destination group's wait after a
 * deferral (its deliveries are claimed again then). Null when none exists.
 */
export async function nextWorkAt(sequelize: Sequelize, runId: number, nowMs = Date.now()): Promise<Date | null> {
  const rows = await selectRows<{ retry: unknown; lease: unknown; backoff: number | string | null }>(
    sequelize,
    `SELECT (SELECT MIN(next_attempt_at) FROM deliveries WHERE run_id = :runId AND status = 'pending' AND next_attempt_at IS NOT NULL) AS retry,
       (SELECT MIN(lease_expires_at) FROM deliveries WHERE run_id = :runId AND status = 'sending') AS lease,
       (SELECT MIN(until_ms) FROM destination_backoffs WHERE until_ms > :nowMs) AS backoff`,
    { runId, nowMs },
  );
  const backoff = rows[0]?.backoff;
  const times = [
    toDate(rows[0]?.retry),
    toDate(rows[0]?.lease),
    backoff === null || backoff === undefined ? null : new Date(Number(backoff)),
  ].filter((t): t is Date => t !== null);
  return times.length ? new Date(Math.min(...times.map((t) => t.getTime()))) : null;
}

/**
 * Gives back the attempts that failures during an SMTP outage took (the failures that tripped the pause
 * and those still on the wire then): such a failure says nothing about the recipient. The deliveries are
 * pending again, unless something else has ended them since (a cancel, an unsubscribe, another worker).
 */
export async function refundOutageAttempts(sequelize: Sequelize, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  await execute(
    sequelize,
    `UPDATE deliveries SET attempt_count = attempt_count - 1, status = 'pending', next_attempt_at = NULL
     WHERE id IN (:ids) AND status IN ('pending', 'failed') AND lease_owner IS NULL AND attempt_count > 0
       AND error_class IN (:errorClasses)
       AND run_id IN (SELECT id FROM mailing_runs WHERE state IN ('running', 'paused'))`,
    { ids, errorClasses: CONNECTION_ERROR_CLASSES },
  );
}
