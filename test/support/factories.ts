// Factories: each test makes the rows it needs, with unique e-mails, through the real models.
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../src/accounts/password.js';
import {
  Client,
  Delivery,
  Mailing,
  MailingRun,
  Message,
  Post,
  User,
  type Language,
  type UserRole,
} from '../../src/db/models/index.js';

export const FACTORY_PASSWORD = 'correct horse battery staple';
let cachedHash: Promise<string> | undefined;
let sequence = 0;

/** A value no other test in this run will use. */
export function unique(prefix = 'x'): string {
  sequence += 1;
  return `${prefix}${sequence}${randomBytes(3).toString('hex')}`;
}

/** A verified user of the given role whose password is FACTORY_PASSWORD. */
export async function makeUser(
  attrs: Partial<{ role: UserRole; email: string; fullName: string; verified: boolean }> = {},
): Promise<User> {
  cachedHash ??= hashPassword(FACTORY_PASSWORD, 4);
  return User.create({
    email: attrs.email ?? `${unique('user')}@example.test`,
    passwordHash: await cachedHash,
    fullName: attrs.fullName ?? 'Test User',
    role: attrs.role ?? 'user',
    emailVerifiedAt: attrs.verified === false ? null : new Date(),
    timeZone: 'UTC',
  });
}

/** A client in the owner's address book. */
export function makeClient(
  owner: User,
  attrs: Partial<{ email: string; fullName: string; comment: string }> = {},
): Promise<Client> {
  return Client.create({
    ownerId: owner.id,
    email: attrs.email ?? `${unique('client')}@example.test`,
    fullName: attrs.fullName ?? 'Test Client',
    comment: attrs.comment ?? '',
  });
}

/** A plain-text message owned by the owner, in the owner's language (as the message form's default). */
export function makeMessage(
  owner: User,
  attrs: Partial<{ subject: string; bodyText: string; bodyHtml: string | null; language: Language }> = {},
): Promise<Message> {
  return Message.create({
    ownerId: owner.id,
    subject: attrs.subject ?? unique('Subject '),
    bodyText: attrs.bodyText ?? 'Hello {{full_name}}',
    bodyHtml: attrs.bodyHtml ?? null,
    language: attrs.language ?? owner.language,
  });
}

/** A daily mailing of a new message to the given clients, starting in an hour. */
export async function makeMailing(
  owner: User,
  attrs: Partial<{
    name: string;
    message: Message;
    clients: Client[];
    startAt: Date;
    endAt: Date;
    periodicity: Mailing['periodicity'];
  }> = {},
): Promise<Mailing> {
  const message = attrs.message ?? (await makeMessage(owner));
  const startAt = attrs.startAt ?? new Date(Date.now() + 60 * 60 * 1000);
  const mailing = await Mailing.create({
    ownerId: owner.id,
    messageId: message.id,
    name: attrs.name ?? unique('Mailing '),
    startAt,
    endAt: attrs.endAt ?? new Date(startAt.getTime() + 7 * 24 * 60 * 60 * 1000),
    periodicity: attrs.periodicity ?? 'daily',
    timeZone: 'UTC',
    nextRunAt: startAt,
  });
  if (attrs.clients) await mailing.setClients(attrs.clients);
  return mailing;
}

/** A run of the mailing at the given time. */
export function makeRun(mailing: Mailing, scheduledAt = new Date()): Promise<MailingRun> {
  return MailingRun.create({ mailingId: mailing.id, scheduledAt });
}

/** A pending delivery of the run to the client. */
export function makeDelivery(run: MailingRun, client: Client): Promise<Delivery> {
  return Delivery.create({ runId: run.id, clientId: client.id, email: client.email, fullName: client.fullName });
}

/** A published blog post. */
export function makePost(
  attrs: Partial<{ title: string; author: User; imagePath: string; imageAlt: string }> = {},
): Promise<Post> {
  return Post.create({
    title: attrs.title ?? unique('Post '),
    imagePath: attrs.imagePath ?? null,
    imageAlt: attrs.imageAlt ?? '',
    content: 'Some *markdown*',
    authorId: attrs.author?.id ?? null,
    isPublished: true,
    publishedAt: new Date(),
  });
}
