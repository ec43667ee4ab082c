// Test sends of a message to its owner's own addresses: queued here (the web never waits on SMTP), sent by the
// delivery worker (src/delivery/test-sends.ts), and listed on the message's page, apart from mailings' runs.
import { Op } from 'sequelize';
import { boundDatabase, TestSend, User, type Message } from '../db/models/index.js';
import { deliveryEvents } from '../delivery/events.js';
import { ValidationError } from '../errors.js';
import { findMessage } from './messages.service.js';

/** How many test addresses a user may queue in an hour, so the form cannot be used to send mail to anyone at will. */
export const TEST_SENDS_PER_HOUR = 20;
const HOUR_MS = 60 * 60 * 1000;
/** How many of a message's test sends its page lists. */
export const LATEST_TEST_SENDS = 10;

/**
 * Queues one test send per address of the owner's message (someone else's is a 404), all or none; refused with
 * a field error past the hourly limit. The worker in this process is told at once.
 */
export async function queueTestSends(owner: User, messageId: number, addresses: string[]): Promise<TestSend[]> {
  const message = await findMessage(owner, messageId);
  const rows = await boundDatabase().transaction(async (transaction) => {
    // The owner's row is locked first (SQLite's transactions take the write lock up front already), so two
    // requests at once count one after the other and never pass the hour's limit together.
    await User.findByPk(owner.id, { attributes: ['id'], transaction, lock: transaction.LOCK.UPDATE });
    const since = new Date(Date.now() - HOUR_MS);
    const recent = await TestSend.count({ where: { userId: owner.id, createdAt: { [Op.gt]: since } }, transaction });
    if (recent + addresses.length > TEST_SENDS_PER_HOUR)
      throw new ValidationError({ addresses: 'testSends.hourlyLimit' });
    const values = addresses.map((address) => ({ userId: owner.id, messageId: message.id, address }));
    return TestSend.bulkCreate(values, { transaction });
  });
  deliveryEvents.emit('test-sends-queued');
  return rows;
}

/** A message's latest test sends, newest first, for its page. */
export function latestTestSends(message: Message): Promise<TestSend[]> {
  return TestSend.findAll({ where: { messageId: message.id }, order: [['id', 'DESC']], limit: LATEST_TEST_SENDS });
}
