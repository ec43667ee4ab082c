// Mailing rules for staff (the back office): any customer's mailing can have its name, window, periodicity, zone,
// identity (one of its owner's, by the site's rule) and disabled switch changed, or be deleted, under the site's rule of the window (mailing.form.ts), with the
// delivery engine told each time. New mailings are made by customers on the site (they need recipients).
import type { Sequelize } from 'sequelize';
import { Mailing, type User } from '../db/models/index.js';
import { refreshMailing, setMailingDisabled } from '../delivery/mailing-lifecycle.js';
import { identityProblem } from '../domains/identities.service.js';
import { found, ValidationError } from '../errors.js';
import { windowProblem, type MailingWindow } from './mailing.form.js';
import { deleteMailing } from './mailings.service.js';

/** What a staff member may change of a mailing. */
export interface StaffMailingChange extends MailingWindow {
  name: string;
  /** The identity it sends as (null: MAIL_FROM): one of the owner's, on a verified domain (identityProblem). */
  senderIdentityId: number | null;
  isDisabled: boolean;
  /** Why it is disabled (kept only while it is). */
  disabledReason: string | null;
}

/** Any customer's mailing by id, for a staff door gated by the permission map (the back office's forms). */
export function findAnyMailing(id: number): Promise<Mailing> {
  return found(Mailing.findByPk(id));
}

/**
 * A staff member changes a mailing: a window that changes must end in the future, as on the site (one that stays
 * as it is need not, so a mailing past its end can still be renamed or disabled). Disabling records who and why
 * and cancels a run under way; either way the next run is recomputed.
 */
export async function changeMailingByStaff(
  sequelize: Sequelize,
  staff: Pick<User, 'id'>,
  id: number,
  input: StaffMailingChange,
  now = new Date(),
): Promise<Mailing> {
  const mailing = await findAnyMailing(id);
  const problem = windowProblem(input, now, mailing);
  const identity = await identityProblem({ id: mailing.ownerId }, input.senderIdentityId, mailing.senderIdentityId);
  if (problem || identity)
    throw new ValidationError({
      ...(problem ? { endAt: problem } : {}),
      ...(identity ? { senderIdentityId: identity } : {}),
    });
  const { name, startAt, endAt, periodicity, timeZone, senderIdentityId } = input;
  await mailing.update({ name, startAt, endAt, periodicity, timeZone, senderIdentityId });
  if (input.isDisabled !== mailing.isDisabled) {
    const by = { userId: staff.id, reason: input.disabledReason ?? undefined };
    return (await setMailingDisabled(sequelize, id, input.isDisabled, by)).mailing;
  }
  if (input.isDisabled) await mailing.update({ disabledReason: input.disabledReason });
  return refreshMailing(id);
}

/** A staff member deletes a customer's mailing, as its owner would (a run under way is cancelled first). */
export async function deleteMailingByStaff(sequelize: Sequelize, id: number): Promise<void> {
  const mailing = await findAnyMailing(id);
  await deleteMailing(sequelize, { id: mailing.ownerId }, id);
}
