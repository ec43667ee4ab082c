// A mailing's life: when its next run is due, starting that run, its status, and disabling it.
import { Op, type Sequelize } from 'sequelize';
import { Mailing, MailingRun, type MailingStatus } from '../db/models/index.js';
import { AppError, NotFoundError } from '../errors.js';
import { deliveryEvents } from './events.js';
import { reapExpiredLeases } from './claims.js';
import { ACTIVE_RUN_STATES, cancelRun, createRun, finishRunIfDone } from './runs.js';
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

/**
 * Starts the due run of a mailing if one is due (safe to call from several processes at once: the run's
 * unique key lets only one create it). Returns the new run, or null when nothing was due.
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
    const created = await createRun(sequelize, mailing.id, scheduledAt, now, transaction);
    mailing.nextRunAt = nextRunAt(schedule, scheduledAt, now);
    mailing.status = 'running';
    await mailing.save({ transaction });
    return created;
  });
  if (run) await announceRun(run);
  return run;
}

/** Starts a run of the mailing now, outside its schedule ("send now"); refuses while another run is active. */
export async function startRunNow(sequelize: Sequelize, mailingId: number, now = new Date()): Promise<MailingRun> {
  const mailing = await Mailing.findByPk(mailingId);
  if (!mailing) throw new NotFoundError('No such mailing');
  if (mailing.isDisabled) throw new AppError('This mailing is disabled', 409, 'conflict');
  const active = await MailingRun.findOne({ where: { mailingId, state: { [Op.in]: ACTIVE_RUN_STATES } } });
  if (active) throw new AppError(`Run #${active.id} of this mailing is still ${active.state}`, 409, 'conflict');
  const at = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const run = await sequelize.transaction(async (transaction) => {
    const created = await createRun(sequelize, mailingId, at, now, transaction);
    if (!created) throw new AppError('A run of this mailing was started this very second; try again', 409, 'conflict');
    await mailing.update({ status: 'running' }, { transaction });
    return created;
  });
  await announceRun(run);
  return run;
}

/** A new run with recipients is work for a scheduler; one without is already over. */
async function announceRun(run: MailingRun): Promise<void> {
  if (run.state === 'finished') await settleMailingStatus(run.mailingId);
  else deliveryEvents.emit('run-ready', run.id);
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

/** Disables a mailing (no new runs; the rest of a run under way is cancelled) or enables it again. */
export async function setMailingDisabled(
  sequelize: Sequelize,
  mailingId: number,
  disabled: boolean,
  by: { userId: number | null; reason?: string },
): Promise<Mailing> {
  const mailing = await Mailing.findByPk(mailingId);
  if (!mailing) throw new NotFoundError('No such mailing');
  if (disabled) {
    await mailing.update({
      isDisabled: true,
      disabledAt: new Date(),
      disabledById: by.userId,
      disabledReason: by.reason ?? null,
    });
    const active = await MailingRun.findAll({ where: { mailingId, state: { [Op.in]: ACTIVE_RUN_STATES } } });
    for (const run of active)
      await cancelRun(sequelize, run.id, `Mailing disabled${by.reason ? `: ${by.reason}` : ''}`);
  } else {
    await mailing.update({ isDisabled: false, disabledAt: null, disabledById: null, disabledReason: null });
  }
  return refreshMailing(mailingId);
}
