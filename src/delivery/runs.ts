// Mailing runs: created once per scheduled time with a snapshot of recipients, counted, finished, controlled.
import { col, fn, Op, literal, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import { Delivery, Mailing, MailingRun, NEXT_RUN_NUMBER, type RunState } from '../db/models/index.js';
import { conflict, NotFoundError } from '../errors.js';
import { observeRunStart } from '../metrics/metrics.js';
import { deliveryEvents } from './events.js';
import { RETRYABLE_FAILURE_CLASSES, type DeliveryErrorClass, type RunHalt } from './outcome-classes.js';
import { snapshotRecipients } from './snapshot.js';
import { execute, isPostgres, runDirect, selectRows, toDate } from './sql.js';

export const ACTIVE_RUN_STATES: RunState[] = ['pending', 'running', 'paused'];

const PAUSED_BY_USER: RunHalt = { kind: 'paused_by_user', reason: 'Paused by user' };
const CANCELLED_BY_USER: RunHalt = { kind: 'cancelled_by_user', reason: 'Cancelled by user' };

/**
 * Inserts a mailing's run for a scheduled time with the next number of its mailing: running, or already cancelled
 * with the halt given. Nothing when the mailing has a run for that time (returns undefined).
 */
async function insertRun(
  sequelize: Sequelize,
  mailingId: number,
  scheduledAt: Date,
  now: Date,
  transaction: Transaction,
  halt: RunHalt | null,
): Promise<number | undefined> {
  // The mailing's row is locked first, so two runs created at once get numbers one after the other (SQLite has
  // a single writer already); the number is then read by a statement that sees the other's committed run.
  if (isPostgres(sequelize)) {
    await execute(sequelize, 'SELECT id FROM mailings WHERE id = :mailingId FOR UPDATE', { mailingId }, transaction);
  }
  const inserted = await selectRows<{ id: number }>(
    sequelize,
    `INSERT INTO mailing_runs (mailing_id, number, scheduled_at, state, paused_kind, paused_reason, total_count, sent_count, failed_count, unknown_count, started_at, finished_at, created_at, updated_at)
     VALUES (:mailingId, ${NEXT_RUN_NUMBER}, :scheduledAt, :state, :kind, :reason, 0, 0, 0, 0, :now, :finishedAt, :now, :now)
     ON CONFLICT (mailing_id, scheduled_at) DO NOTHING
     RETURNING id`,
    {
      mailingId,
      scheduledAt,
      now,
      state: halt ? 'cancelled' : 'running',
      kind: halt?.kind ?? null,
      reason: halt?.reason ?? null,
      finishedAt: halt ? now : null,
    },
    transaction,
  );
  return inserted[0]?.id;
}

/**
 * Records an occurrence that was due but not sent (its owner is blocked) as a cancelled run with no recipients,
 * so the mailing's history and the report say what happened to it. A second call for the same time adds nothing.
 */
export async function recordSkippedRun(
  sequelize: Sequelize,
  mailingId: number,
  scheduledAt: Date,
  now: Date,
  halt: RunHalt,
  transaction: Transaction,
): Promise<void> {
  await insertRun(sequelize, mailingId, scheduledAt, now, transaction, halt);
}

/**
 * Creates the run of a mailing at a scheduled time and snapshots its recipients (snapshot.ts: the chosen or all
 * of the owner's clients, never unsubscribed ones) in one set-based statement. A second call for the same time
 * creates nothing and returns null.
 */
export async function createRun(
  sequelize: Sequelize,
  mailingId: number,
  scheduledAt: Date,
  now: Date,
  transaction: Transaction,
): Promise<MailingRun | null> {
  const runId = await insertRun(sequelize, mailingId, scheduledAt, now, transaction, null);
  if (runId === undefined) return null;
  observeRunStart(scheduledAt, now);
  const mailing = await Mailing.findByPk(mailingId, {
    attributes: ['id', 'ownerId', 'allClients'],
    transaction,
    rejectOnEmpty: true,
  });
  // The statement's own row count: counting the fresh rows again read each one back from the table.
  const total = await snapshotRecipients(sequelize, runId, mailing, now, transaction);
  await MailingRun.update(total === 0 ? { totalCount: 0, state: 'finished', finishedAt: now } : { totalCount: total }, {
    where: { id: runId },
    transaction,
  });
  return MailingRun.findByPk(runId, { transaction, rejectOnEmpty: true });
}

/** What a sending worker sees of a run: its state, or `held` while it is running for a blocked owner. */
export type RunSendState = RunState | 'held';

/** A run's state with its owner's block, read without Sequelize's query path: a sending worker polls it every second. */
export async function currentRunState(sequelize: Sequelize, runId: number): Promise<RunSendState | null> {
  const [run] = await runDirect<{ state: RunState; blocked: number }>(
    sequelize,
    (p) => `SELECT r.state, CASE WHEN u.is_blocked THEN 1 ELSE 0 END AS blocked
      FROM mailing_runs r JOIN mailings m ON m.id = r.mailing_id JOIN users u ON u.id = m.owner_id
      WHERE r.id = ${p(runId, 'bigint')}`,
  );
  if (!run) return null;
  return run.state === 'running' && Number(run.blocked) === 1 ? 'held' : run.state;
}

/**
 * Recounts a run's sent / failed / unknown deliveries (and, of the sent, the bounced and complained ones) from the
 * log itself, so the counters are never wrong.
 */
export async function refreshRunCounters(
  sequelize: Sequelize,
  runId: number,
  transaction?: Transaction,
): Promise<void> {
  await execute(
    sequelize,
    `UPDATE mailing_runs SET
       sent_count = (SELECT COUNT(*) FROM deliveries WHERE run_id = :runId AND status IN ('sent', 'bounced', 'complained')),
       failed_count = (SELECT COUNT(*) FROM deliveries WHERE run_id = :runId AND status = 'failed'),
       unknown_count = (SELECT COUNT(*) FROM deliveries WHERE run_id = :runId AND status = 'unknown'),
       bounced_count = (SELECT COUNT(*) FROM deliveries WHERE run_id = :runId AND status = 'bounced'),
       complained_count = (SELECT COUNT(*) FROM deliveries WHERE run_id = :runId AND status = 'complained'),
       updated_at = :now
     WHERE id = :runId`,
    { runId, now: new Date() },
    transaction,
  );
}

/** Marks a running run finished when nothing is left to send; returns whether it did. */
export async function finishRunIfDone(sequelize: Sequelize, runId: number, now = new Date()): Promise<boolean> {
  await refreshRunCounters(sequelize, runId);
  const [finished] = await MailingRun.update(
    { state: 'finished', finishedAt: now, pausedReason: null, pausedKind: null, resumeAt: null },
    {
      where: {
        id: runId,
        state: 'running',
        [Op.and]: sequelize.literal(
          `NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.run_id = ${Number(runId)} AND d.status IN ('pending', 'sending'))`,
        ),
      },
    },
  );
  return finished > 0;
}

async function findRun(runId: number): Promise<MailingRun> {
  const run = await MailingRun.findByPk(runId);
  if (!run) throw new NotFoundError('No such run');
  return run;
}

/** Pauses a running run: workers stop after their in-flight messages; nothing is lost. */
export async function pauseRun(
  runId: number,
  halt: RunHalt = PAUSED_BY_USER,
  resumeAt: Date | null = null,
): Promise<MailingRun> {
  const [changed] = await MailingRun.update(
    { state: 'paused', pausedReason: halt.reason, pausedKind: halt.kind, resumeAt },
    { where: { id: runId, state: 'running' } },
  );
  if (!changed) throw conflict('Only a running run can be paused', 'mailings.errors.notRunning');
  deliveryEvents.emit('run-halted', runId);
  return findRun(runId);
}

/** Resumes a paused run (by hand, or when an outage pause is over). */
export async function resumeRun(runId: number): Promise<MailingRun> {
  const [changed] = await MailingRun.update(
    { state: 'running', pausedReason: null, pausedKind: null, resumeAt: null },
    { where: { id: runId, state: 'paused' } },
  );
  if (!changed) throw conflict('Only a paused run can be resumed', 'mailings.errors.notPaused');
  deliveryEvents.emit('run-ready', runId);
  return findRun(runId);
}

/** Cancels the rest of a run: deliveries not yet attempted are failed as cancelled; in-flight ones finish. */
export async function cancelRun(
  sequelize: Sequelize,
  runId: number,
  halt: RunHalt = CANCELLED_BY_USER,
): Promise<MailingRun> {
  const now = new Date();
  const [changed] = await MailingRun.update(
    { state: 'cancelled', pausedReason: halt.reason, pausedKind: halt.kind, resumeAt: null, finishedAt: now },
    { where: { id: runId, state: { [Op.in]: ACTIVE_RUN_STATES } } },
  );
  if (!changed) throw conflict('This run has already ended', 'mailings.errors.ended');
  deliveryEvents.emit('run-halted', runId);
  await failCancelledDeliveries(runId, halt.reason);
  await refreshRunCounters(sequelize, runId);
  return findRun(runId);
}

/**
 * Fails a cancelled run's deliveries that are pending: those left when it was cancelled, and those a worker
 * gives back afterwards without attempting them.
 */
export async function failCancelledDeliveries(runId: number, reason: string): Promise<void> {
  await Delivery.update(
    {
      status: 'failed',
      errorClass: 'cancelled' satisfies DeliveryErrorClass,
      smtpResponse: `Not sent: ${reason.toLowerCase()}`,
      leaseOwner: null,
      leaseExpiresAt: null,
      nextAttemptAt: null,
    },
    { where: { runId, status: 'pending' } },
  );
}

/** The deliveries of a run waiting out a retry's backoff, and when the first of them is tried (for its page). */
export async function waitingRetries(
  sequelize: Sequelize,
  runId: number,
): Promise<{ count: number; nextAt: Date | null }> {
  const [row] = await selectRows<{ n: number | string; next_at: unknown }>(
    sequelize,
    `SELECT COUNT(*) AS n, MIN(next_attempt_at) AS next_at FROM deliveries
     WHERE run_id = :runId AND status = 'pending' AND next_attempt_at IS NOT NULL`,
    { runId },
  );
  return { count: Number(row?.n ?? 0), nextAt: toDate(row?.next_at) };
}

/**
 * What a retry puts back in the queue: `failed`, the failures a retry can fix (RETRYABLE_FAILURE_CLASSES), or
 * `unknown`, the deliveries whose fate is unknown (some may have arrived: a retry may send a second copy, so it
 * is only ever a choice of its own).
 */
export type RetryChoice = 'failed' | 'unknown';

/**
 * The one rule of which deliveries a retry takes: the retry itself and the button offering it read it. Never a
 * `sent` one, and never again to a client that unsubscribed or was deleted since.
 */
function retryableWhere(choice: RetryChoice): WhereOptions<Delivery> {
  const still = { clientId: { [Op.in]: literal('(SELECT id FROM clients WHERE unsubscribed_at IS NULL)') } };
  if (choice === 'unknown') return { status: 'unknown', ...still };
  return { status: 'failed', errorClass: { [Op.in]: [...RETRYABLE_FAILURE_CLASSES] }, ...still };
}

/** How many deliveries of each given run a retry of each kind would take (for the run buttons). */
export async function retryableCounts(runIds: number[]): Promise<Map<number, Record<RetryChoice, number>>> {
  const counts = new Map<number, Record<RetryChoice, number>>();
  for (const choice of ['failed', 'unknown'] as const) {
    if (runIds.length === 0) break;
    const rows = (await Delivery.findAll({
      attributes: ['runId', [fn('COUNT', col('id')), 'n']],
      where: { runId: runIds, ...retryableWhere(choice) } as WhereOptions<Delivery>,
      group: ['runId'],
      raw: true,
    })) as unknown as { runId: number | string; n: number | string }[];
    for (const row of rows) {
      const entry = counts.get(Number(row.runId)) ?? { failed: 0, unknown: 0 };
      entry[choice] = Number(row.n);
      counts.set(Number(row.runId), entry);
    }
  }
  return counts;
}

/**
 * Puts a run's retryable failures, or (as a separate choice) its unknown deliveries, back in the queue with a
 * fresh attempt budget and reopens the run. Returns how many went back.
 */
export async function retryDeliveries(
  sequelize: Sequelize,
  runId: number,
  choice: RetryChoice = 'failed',
): Promise<number> {
  const run = await findRun(runId);
  const mailing = await Mailing.findByPk(run.mailingId);
  if (mailing?.isDisabled) throw conflict('This mailing is disabled', 'mailings.errors.disabled');
  const [count] = await Delivery.update(
    { status: 'pending', attemptCount: 0, nextAttemptAt: null, leaseOwner: null, leaseExpiresAt: null },
    { where: { runId, ...retryableWhere(choice) } as WhereOptions<Delivery> },
  );
  if (count > 0) {
    await MailingRun.update(
      { state: 'running', finishedAt: null, pausedReason: null, pausedKind: null, resumeAt: null },
      { where: { id: runId } },
    );
    await refreshRunCounters(sequelize, runId);
    deliveryEvents.emit('run-ready', runId);
  }
  return count;
}

/**
 * Fails a client's deliveries still waiting in runs under way (not the one on the wire, if any), when the
 * client unsubscribes or is deleted, so nothing more reaches it; the runs' counters are recounted. They are
 * looked up run by run (the runs under way are few): the log keeps no index on the client alone.
 */
export async function stopClientDeliveries(
  sequelize: Sequelize,
  clientId: number,
  stop: { errorClass: DeliveryErrorClass; reply: string },
  transaction?: Transaction,
): Promise<void> {
  const stopped = await selectRows<{ run_id: number }>(
    sequelize,
    `UPDATE deliveries SET status = 'failed', error_class = :errorClass, smtp_response = :reply,
       next_attempt_at = NULL, updated_at = :now
     WHERE client_id = :clientId AND status = 'pending' AND lease_owner IS NULL
       AND run_id IN (SELECT id FROM mailing_runs WHERE state IN (:underWay))
     RETURNING run_id`,
    { clientId, ...stop, now: new Date(), underWay: ACTIVE_RUN_STATES },
    transaction,
  );
  const runIds = stopped.map((row) => Number(row.run_id));
  for (const runId of new Set(runIds)) await refreshRunCounters(sequelize, runId, transaction);
}
