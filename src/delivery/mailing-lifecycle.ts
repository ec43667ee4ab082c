// A mailing's life: when its next run is due, starting that run, its status, and disabling it.
import { Op, type Sequelize, type Transaction } from 'sequelize';
import { Mailing, MailingRun, User, type MailingStatus } from '../db/models/index.js';
import { conflict, NotFoundError } from '../errors.js';
import { deliveryEvents } from './events.js';
import { reapExpiredLeases } from './claims.js';
import { ACTIVE_RUN_STATES, cancelRun, createRun, finishRunIfDone, recordSkippedRun } from './runs.js';
import type { RunHalt } from './outcome-classes.js';
import { senderProblem } from './sender-profile.js';
import { isPostgres } from './sql.js';
import { latestOccurrenceAtOrBefore, nextRunAt, type Schedule } from './schedule.js';

/** The newest scheduled time among the mailing's runs ("send now" runs included). */
async function lastRunScheduledAt(mailingId: number): Promise<Date | null> {
  const last = await MailingRun.findOne({
    where: { mailingId },
    order: [['scheduledAt', 'DESC']],
    attributes: ['scheduledAt'],
  });
  return last?.scheduledAt ?? null;
}

/** The status a mailing has now: created before its first run, running while runs remain, completed after. */
export async function computeStatus(mailing: Mailing): Promise<MailingStatus> {
  const active = await MailingRun.count({ where: { mailingId: mailing.id, state: { [Op.in]: ACTIVE_RUN_STATES } } });
  if (active > 0) return 'running';
  const ran = (await MailingRun.count({ where: { mailingId: mailing.id } })) > 0;
  if (mailing.nextRunAt) return ran ? 'running' : 'created';
  return ran || Date.now() >= mailing.endAt.getTime() ? 'completed' : 'created';
}

/**
 * Recomputes `nextRunAt` and the status after the mailing was created or its schedule edited, and tells an
 * in-process scheduler. Call it after every save of a mailing's schedule.
 */
export async function refreshMailing(mailingId: number, now = new Date()): Promise<Mailing> {
  const mailing = await Mailing.findByPk(mailingId);
  if (!mailing) throw new NotFoundError('No such mailing');
  mailing.nextRunAt = nextRunAt(mailing, await lastRunScheduledAt(mailing.id), now);
  mailing.status = await computeStatus(mailing);
  await mailing.save();
  deliveryEvents.emit('mailing-changed', mailing.id);
  return mailing;
}

/** Why a due occurrence of a blocked owner's mailing was not sent. */
const OWNER_BLOCKED: RunHalt = { kind: 'owner_blocked', reason: 'Owner blocked: nothing was sent' };

/** True when the mailing's owner is blocked: none of their mail goes out (no run starts, by any door). */
export async function ownerIsBlocked(mailing: Mailing, transaction?: Transaction): Promise<boolean> {
  const owner = await User.findByPk(mailing.ownerId, { attributes: ['id', 'isBlocked'], transaction });
  return owner?.isBlocked ?? false;
}

/**
 * Starts the due run of a mailing if one is due (safe to call from several processes at once: the run's
 * unique key lets only one create it). Returns the new run, or null when nothing was due. While the owner is
 * blocked the due occurrence is skipped (kept in the history as a cancelled run that sent nothing): the next run
 * is timed as if it had run.
 */
export async function dispatchDueRun(
  sequelize: Sequelize,
  mailingId: number,
  now = new Date(),
): Promise<MailingRun | null> {
  const run = await sequelize.transaction(async (transaction) => {
    const mailing = await Mailing.findByPk(mailingId, {
      transaction,
      ...(isPostgres(sequelize) ? { lock: true } : {}),
    });
    if (!mailing || mailing.isDisabled || !mailing.nextRunAt || mailing.nextRunAt.getTime() > now.getTime())
      return null;
    const schedule: Schedule = mailing;
    const scheduledAt = latestOccurrenceAtOrBefore(schedule, now) ?? mailing.nextRunAt;
    // A blocked owner's occurrence passes as if it had run: it is recorded as cancelled with nobody to send to,
    // and the next one is timed.
    let created: MailingRun | null = null;
    const unverified = await senderProblem(mailing, transaction);
    if (await ownerIsBlocked(mailing, transaction)) {
      await recordSkippedRun(sequelize, mailing.id, scheduledAt, now, OWNER_BLOCKED, transaction);
    } else if (unverified) {
      const halt: RunHalt = { kind: 'sender_unverified', reason: unverified.reason };
      await recordSkippedRun(sequelize, mailing.id, scheduledAt, now, halt, transaction);
    } else {
      created = await createRun(sequelize, mailing.id, scheduledAt, now, transaction);
    }
    await mailing.update({ nextRunAt: nextRunAt(schedule, scheduledAt, now) }, { transaction });
    return created;
  });
  if (run) await announceRun(run);
  return run;
}

/**
 * Starts a run of the mailing now, outside its schedule ("send now", `mailer send --again`); refuses while
 * another run is active, the mailing is disabled, or its owner is blocked.
 */
export async function startRunNow(sequelize: Sequelize, mailingId: number, now = new Date()): Promise<MailingRun> {
  const at = new Date(Math.floor(now.getTime() / 1000) * 1000);
  // Every check inside the transaction, the mailing's row locked first (SQLite's transactions take the write lock
  // up front): two "send now" at once, even a second apart, start one run, and the other is refused.
  const run = await sequelize.transaction(async (transaction) => {
    const mailing = await Mailing.findByPk(mailingId, {
      transaction,
      ...(isPostgres(sequelize) ? { lock: true } : {}),
    });
    if (!mailing) throw new NotFoundError('No such mailing');
    if (mailing.isDisabled) throw conflict('This mailing is disabled', 'mailings.errors.disabled');
    if (await ownerIsBlocked(mailing, transaction))
      throw conflict("This mailing's owner is blocked: nothing is sent", 'mailings.errors.ownerBlocked');
    const unverified = await senderProblem(mailing, transaction);
    if (unverified) throw conflict(unverified.reason, unverified.key, unverified.values);
    const active = await MailingRun.findOne({
      where: { mailingId, state: { [Op.in]: ACTIVE_RUN_STATES } },
      transaction,
    });
    if (active)
      throw conflict(`Run #${active.number} of this mailing is still under way`, 'mailings.errors.stillActive', {
        run: active.number,
      });
    const created = await createRun(sequelize, mailingId, at, now, transaction);
    if (!created)
      throw conflict('A run of this mailing was started this very second; try again', 'mailings.errors.sameSecond');
    return created;
  });
  await announceRun(run);
  return run;
}

/**
 * Tells this process's workers that an owner was blocked (their runs stop claiming at once; other processes
 * see it within a second) or unblocked (their runs under way go on).
 */
export async function ownerBlockChanged(ownerId: number, blocked: boolean): Promise<void> {
  const runs = await MailingRun.findAll({
    where: { state: 'running' },
    include: [{ model: Mailing, as: 'mailing', attributes: [], where: { ownerId }, required: true }],
    attributes: ['id'],
  });
  for (const run of runs) deliveryEvents.emit(blocked ? 'run-halted' : 'run-ready', run.id);
}

/** A new run settles the mailing's status; one with recipients is work for a scheduler. */
async function announceRun(run: MailingRun): Promise<void> {
  await settleMailingStatus(run.mailingId);
  if (run.state !== 'finished') deliveryEvents.emit('run-ready', run.id);
}

/**
 * Deliveries a dead worker left "sending" become `unknown` once their lease ran out; their runs are
 * recounted and finished when nothing else is left. Returns the runs touched.
 */
export async function reapInterruptedDeliveries(sequelize: Sequelize, now = new Date()): Promise<number[]> {
  const runIds = await reapExpiredLeases(sequelize, now);
  for (const runId of runIds) {
    const run = await MailingRun.findByPk(runId, { attributes: ['id', 'mailingId'] });
    if (run && (await finishRunIfDone(sequelize, runId))) await settleMailingStatus(run.mailingId);
  }
  return runIds;
}

/** After a run ended: the mailing is completed when no run is left, running otherwise. */
export async function settleMailingStatus(mailingId: number): Promise<void> {
  const mailing = await Mailing.findByPk(mailingId);
  if (!mailing) return;
  const status = await computeStatus(mailing);
  if (status !== mailing.status) await mailing.update({ status });
}

/** What disabling or enabling did: the mailing as it is now, and whether a run under way was cancelled. */
export interface DisabledChange {
  mailing: Mailing;
  runCancelled: boolean;
}

/** Disables a mailing (no new runs; the rest of a run under way is cancelled) or enables it again. */
export async function setMailingDisabled(
  sequelize: Sequelize,
  mailingId: number,
  disabled: boolean,
  by: { userId: number | null; reason?: string },
): Promise<DisabledChange> {
  const mailing = await Mailing.findByPk(mailingId);
  if (!mailing) throw new NotFoundError('No such mailing');
  let runCancelled = false;
  if (disabled) {
    await mailing.update({
      isDisabled: true,
      disabledAt: new Date(),
      disabledById: by.userId,
      disabledReason: by.reason ?? null,
    });
    const active = await MailingRun.findAll({ where: { mailingId, state: { [Op.in]: ACTIVE_RUN_STATES } } });
    for (const run of active)
      await cancelRun(sequelize, run.id, {
        kind: 'mailing_disabled',
        reason: `Mailing disabled${by.reason ? `: ${by.reason}` : ''}`,
      });
    runCancelled = active.length > 0;
  } else {
    await mailing.update({ isDisabled: false, disabledAt: null, disabledById: null, disabledReason: null });
  }
  return { mailing: await refreshMailing(mailingId), runCancelled };
}
