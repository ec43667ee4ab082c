// Deleting one's own account: the password proves it is the owner, the last administrator stays, every mailing
// is disabled through the mailing lifecycle first (no new run starts, a run under way is cancelled, so no worker
// sends on), and then everything the account owns goes in one transaction.
import { Op, type Sequelize, type Transaction } from 'sequelize';
import {
  Client,
  Delivery,
  Mailing,
  MailingClient,
  MailingRun,
  Message,
  Post,
  Session,
  TestSend,
  Token,
  User,
} from '../db/models/index.js';
import { setMailingDisabled } from '../delivery/mailing-lifecycle.js';
import { deliveryEvents } from '../delivery/events.js';
import { conflict, ValidationError } from '../errors.js';
import { verifyPassword } from './password.js';

/** What deleting an account removed, table by table (for the log and the tests). */
export type DeletedRows = Record<string, number>;

/**
 * Deletes the user's own account and all it owns, after checking the current password (a field error when
 * wrong, nothing changed). The last administrator is refused (409): someone must be left to run the service.
 */
export async function deleteOwnAccount(sequelize: Sequelize, user: User, password: string): Promise<DeletedRows> {
  if (!(await verifyPassword(password, user.passwordHash))) {
    throw new ValidationError({ currentPassword: 'forms.wrongPassword' });
  }
  await refuseLastAdmin(user);
  // The mailings still enabled are disabled first (a run under way is cancelled, no worker sends on); should the
  // deletion then fail or be refused, they are enabled again, so a kept account keeps its schedule.
  const enabled = await Mailing.findAll({ where: { ownerId: user.id, isDisabled: false }, attributes: ['id'] });
  const mailingIds = enabled.map((mailing) => mailing.id);
  for (const id of mailingIds) {
    await setMailingDisabled(sequelize, id, true, { userId: null, reason: 'account deleted' });
  }
  let deleted: DeletedRows;
  try {
    deleted = await sequelize.transaction(async (transaction) => {
      // Again inside, the admins' rows locked (SQLite's transactions take the write lock up front): two last
      // admins deleting themselves at once go one after the other, and the second is refused.
      await refuseLastAdmin(user, transaction);
      return deleteOwnedRows(user.id, transaction);
    });
  } catch (error) {
    for (const id of mailingIds) await setMailingDisabled(sequelize, id, false, { userId: null });
    throw error;
  }
  for (const id of mailingIds) deliveryEvents.emit('mailing-changed', id);
  return deleted;
}

/** Refuses (409) to delete the only administrator: someone must be left to run the service. */
async function refuseLastAdmin(user: User, transaction?: Transaction): Promise<void> {
  if (user.role !== 'admin') return;
  // Every admin row, in id order: two deletions lock them in the same order, so they queue, never deadlock.
  const admins = await User.findAll({
    where: { role: 'admin' },
    attributes: ['id'],
    order: [['id', 'ASC']],
    transaction,
    ...(transaction ? { lock: transaction.LOCK.UPDATE } : {}),
  });
  if (admins.every((admin) => admin.id === user.id)) {
    throw conflict('The last administrator cannot delete their account', 'accountData.deletion.lastAdmin');
  }
}

// Children before parents, so neither database's key rules (a message in use is RESTRICT) decide the order.
// The ids are read again inside the transaction: a mailing or client added meanwhile goes too.
async function deleteOwnedRows(userId: number, transaction: Transaction): Promise<DeletedRows> {
  const mailingIds = (await Mailing.findAll({ where: { ownerId: userId }, attributes: ['id'], transaction })).map(
    (mailing) => mailing.id,
  );
  const runIds = (
    await MailingRun.findAll({ where: { mailingId: { [Op.in]: mailingIds } }, attributes: ['id'], transaction })
  ).map((run) => run.id);
  const clientIds = (await Client.findAll({ where: { ownerId: userId }, attributes: ['id'], transaction })).map(
    (client) => client.id,
  );
  const deleted: DeletedRows = {};
  deleted.deliveries = await Delivery.destroy({ where: { runId: { [Op.in]: runIds } }, transaction });
  deleted.mailing_runs = await MailingRun.destroy({ where: { id: { [Op.in]: runIds } }, transaction });
  deleted.mailing_clients = await MailingClient.destroy({ where: { mailingId: { [Op.in]: mailingIds } }, transaction });
  deleted.mailings = await Mailing.destroy({ where: { id: { [Op.in]: mailingIds } }, transaction });
  deleted.test_sends = await TestSend.destroy({ where: { userId }, transaction });
  deleted.messages = await Message.destroy({ where: { ownerId: userId }, transaction });
  deleted.tokens = await Token.destroy({
    where: { [Op.or]: [{ userId }, { clientId: { [Op.in]: clientIds } }] },
    transaction,
  });
  deleted.mailing_clients += await MailingClient.destroy({ where: { clientId: { [Op.in]: clientIds } }, transaction });
  deleted.clients = await Client.destroy({ where: { ownerId: userId }, transaction });
  deleted.sessions = await Session.destroy({ where: { userId }, transaction });
  // Posts are the site's, not the author's: they stay, without an author, as the schema's SET NULL says.
  await Post.update({ authorId: null }, { where: { authorId: userId }, transaction });
  await Mailing.update({ disabledById: null }, { where: { disabledById: userId }, transaction });
  await User.update({ blockedById: null }, { where: { blockedById: userId }, transaction });
  deleted.users = await User.destroy({ where: { id: userId }, transaction });
  return deleted;
}
