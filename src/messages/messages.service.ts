// Message rules: every query is scoped to the owner (managers read every message, as they read every mailing, but
// change none); a message used by a mailing cannot be deleted.
import { fn, col, Op, type WhereOptions } from 'sequelize';
import { boundDatabase, Client, Mailing, Message, User } from '../db/models/index.js';
import { searchTextContains } from '../db/search-text.js';
import { orderOf, type SortColumn } from '../forms/list-sort.js';
import { seesEveryMailing } from '../permissions.js';
import { AppError, found } from '../errors.js';
import { composeEmail, contentOf } from '../delivery/compose.js';
import { MESSAGE_SORT_DEFAULT, type MessageInput, type MessageSort } from './message.form.js';

export interface MessageRow {
  message: Message;
  mailingCount: number;
}

// The subject sorts by its folded form, so "Акция" and "акция" stand together.
const MESSAGE_ORDER: Record<MessageSort['sort'], readonly SortColumn[]> = {
  subject: ['searchText', 'subject'],
  created: ['createdAt'],
  updated: ['updatedAt'],
};

/** The owner's messages whose subject has the search's words (any case, any script). */
function messagesOf(owner: User, search: string): WhereOptions<Message> {
  const match = searchTextContains(boundDatabase(), 'search_text', search);
  return { ownerId: owner.id, ...(match ? { [Op.and]: [match] } : {}) };
}

/** The owner's messages matching the search (the last changed first by default), with how many mailings use each. */
export async function listMessages(
  owner: User,
  page: { offset: number; limit: number },
  search = '',
  sort: MessageSort = MESSAGE_SORT_DEFAULT,
): Promise<MessageRow[]> {
  const messages = await Message.findAll({
    where: messagesOf(owner, search),
    order: orderOf(sort, MESSAGE_ORDER),
    offset: page.offset,
    limit: page.limit,
  });
  const counts = await Mailing.findAll({
    attributes: ['messageId', [fn('COUNT', col('id')), 'count']],
    where: { ownerId: owner.id, messageId: messages.map((message) => message.id) },
    group: ['messageId'],
    raw: true,
  });
  const byMessage = new Map(
    (counts as unknown as { messageId: number; count: number | string }[]).map((row) => [
      row.messageId,
      Number(row.count),
    ]),
  );
  return messages.map((message) => ({ message, mailingCount: byMessage.get(message.id) ?? 0 }));
}

/** How many of the owner's messages match the search (for the pager). */
export function countMessages(owner: User, search = ''): Promise<number> {
  return Message.count({ where: messagesOf(owner, search) });
}

/** One of the owner's messages; someone else's id is a 404. */
export function findMessage(owner: User, id: number): Promise<Message> {
  return found(Message.findOne({ where: { id, ownerId: owner.id } }));
}

/** A message the viewer may read: their own; any for a manager (read-only: changes go through findMessage). */
export function viewMessage(viewer: User, id: number): Promise<Message> {
  return seesEveryMailing(viewer.role) ? findAnyMessage(id) : findMessage(viewer, id);
}

/** Any customer's message by id, for a staff door gated by the permission map (the back office acts as its owner). */
export function findAnyMessage(id: number): Promise<Message> {
  return found(Message.findByPk(id));
}

/** Saves a new message. */
export function createMessage(owner: User, input: MessageInput): Promise<Message> {
  return Message.create({ ownerId: owner.id, ...input, language: input.language ?? owner.language });
}

/** Changes a message; runs already under way keep sending what they started with only for new attempts. */
export async function updateMessage(owner: User, id: number, input: MessageInput): Promise<Message> {
  const message = await findMessage(owner, id);
  return message.update(input);
}

/** Deletes a message that no mailing uses. */
export async function deleteMessage(owner: User, id: number): Promise<void> {
  const message = await findMessage(owner, id);
  if ((await Mailing.count({ where: { messageId: message.id } })) > 0) {
    throw new AppError('messages.inUse', 409, 'in_use');
  }
  await message.destroy();
}

export interface Preview {
  to: string;
  subject: string;
  text: string;
  html: string | null;
}

/**
 * The message as one recipient will see it: its owner's first client, or the owner as a stand-in, whoever views
 * it (a manager sees what the owner sees).
 */
export async function previewMessage(viewer: User, id: number, appUrl: string, from: string): Promise<Preview> {
  const message = await viewMessage(viewer, id);
  const owner = message.ownerId === viewer.id ? viewer : await User.findByPk(message.ownerId, { rejectOnEmpty: true });
  const client = await Client.findOne({ where: { ownerId: owner.id }, order: [['id', 'ASC']] });
  const recipient = {
    deliveryId: 0,
    runId: 0,
    clientId: client?.id ?? 0,
    email: client?.email ?? owner.email,
    fullName: client?.fullName ?? owner.fullName,
  };
  const mail = composeEmail(
    contentOf(message, owner.fullName, from),
    recipient,
    { appUrl, from, secret: 'preview-only' },
    1,
  );
  return {
    to: recipient.fullName ? `${recipient.fullName} <${recipient.email}>` : recipient.email,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
  };
}
