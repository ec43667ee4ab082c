// Demo data for a first look at the service: one account per role (two customers: English, and Russian in
// Moscow time, demo-content.ts), each customer's address book, messages, mailings in each status, and a few blog
// posts. Running it again adds nothing.
import type { Sequelize, Transaction } from 'sequelize';
import { hashPassword } from '../src/accounts/password.js';
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
} from '../src/db/models/index.js';
import { DEMO_CUSTOMERS, type DemoCustomer } from './demo-content.js';

export const DEMO_PASSWORD = 'mailer-demo-2026';

export interface DemoLogin {
  role: UserRole;
  email: string;
  password: string;
  /** The language the account's screens are in. */
  language: Language;
}

export interface SeedResult {
  createdRows: number;
  logins: DemoLogin[];
}

const STAFF: { role: UserRole; email: string; fullName: string }[] = [
  { role: 'admin', email: 'admin@example.com', fullName: 'Ada Admin' },
  { role: 'manager', email: 'manager@example.com', fullName: 'Max Manager' },
  { role: 'content_manager', email: 'content@example.com', fullName: 'Cora Content' },
];

const DEMO_POSTS = [
  [
    'Why repeating mailings beat one-off blasts',
    'A short letter every week keeps customers closer than one big campaign a year.',
  ],
  [
    'Reading your delivery log',
    "Every delivery keeps the SMTP server's own reply, so **250**, **451** and **550** tell you what happened.",
  ],
  [
    'Five subject lines that get opened',
    '1. Ask a question\n2. Be specific\n3. Keep it short\n4. Name the benefit\n5. Never shout',
  ],
  [
    'Sending through your own SMTP server',
    'Any server that speaks SMTP works: set `SMTP_URL` and the service does the rest.',
  ],
  ['Unsubscribes are a feature', 'A one-click unsubscribe keeps your list healthy and your reputation intact.'],
];

const DAY = 24 * 60 * 60 * 1000;

/** Counts the rows a findOrCreate made. */
type Counter = <T>(result: [T, boolean]) => T;

/** Loads the demo data where it is missing; safe to run any number of times. */
export async function seedDemoData(
  sequelize: Sequelize,
  options: { timeZone: string; now?: Date },
): Promise<SeedResult> {
  const now = options.now ?? new Date();
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  let createdRows = 0;
  const count: Counter = ([row, created]) => {
    if (created) createdRows += 1;
    return row;
  };

  await sequelize.transaction(async (transaction: Transaction) => {
    const users = new Map<UserRole, User>();
    for (const demo of STAFF) {
      const user = count(
        await User.findOrCreate({
          where: { email: demo.email },
          defaults: { ...demo, passwordHash, emailVerifiedAt: now, timeZone: options.timeZone },
          transaction,
        }),
      );
      users.set(demo.role, user);
    }
    for (const demo of DEMO_CUSTOMERS) {
      const customer = count(
        await User.findOrCreate({
          where: { email: demo.email },
          defaults: {
            email: demo.email,
            fullName: demo.fullName,
            role: 'user',
            language: demo.language,
            passwordHash,
            emailVerifiedAt: now,
            timeZone: demo.timeZone ?? options.timeZone,
          },
          transaction,
        }),
      );
      createdRows += await seedCustomer(customer, demo, { now, count, transaction });
    }
    await seedPosts(users.get('content_manager') as User, now, count, transaction);
  });

  const staff = STAFF.map(({ role, email }) => ({ role, email, password: DEMO_PASSWORD, language: 'en' as const }));
  const customers = DEMO_CUSTOMERS.map(({ email, language }) => ({
    role: 'user' as const,
    email,
    password: DEMO_PASSWORD,
    language,
  }));
  return { createdRows, logins: [...staff, ...customers] };
}

interface SeedContext {
  now: Date;
  count: Counter;
  transaction: Transaction;
}

/** A customer's address book and messages, where missing; returns the rows its mailings added. */
async function seedCustomer(customer: User, demo: DemoCustomer, context: SeedContext): Promise<number> {
  const { count, transaction } = context;
  const clients: Client[] = [];
  for (const [fullName, email] of demo.clients) {
    clients.push(
      count(
        await Client.findOrCreate({
          where: { ownerId: customer.id, email },
          defaults: { ownerId: customer.id, email, fullName, comment: demo.clientComment },
          transaction,
        }),
      ),
    );
  }
  const messages: Message[] = [];
  for (const message of demo.messages) {
    messages.push(
      count(
        await Message.findOrCreate({
          where: { ownerId: customer.id, subject: message.subject },
          // The e-mail's own words (footer, unsubscribe pages) in the customer's language, as the form defaults to.
          defaults: { ...message, language: customer.language, ownerId: customer.id },
          transaction,
        }),
      ),
    );
  }
  return seedMailings(customer, demo.mailingNames, { clients, messages }, context);
}

/** Three mailings, one in each status (created, running, completed), the last two with a finished run each. */
async function seedMailings(
  customer: User,
  names: DemoCustomer['mailingNames'],
  { clients, messages }: { clients: Client[]; messages: Message[] },
  { now, transaction }: SeedContext,
): Promise<number> {
  let createdRows = 0;
  const tomorrow = new Date(Math.ceil(now.getTime() / DAY) * DAY + 9 * 60 * 60 * 1000);
  const mailings = [
    {
      name: names[0],
      message: messages[0] as Message,
      startAt: tomorrow,
      endAt: new Date(tomorrow.getTime() + 30 * DAY),
      periodicity: 'daily' as const,
      status: 'created' as const,
      nextRunAt: tomorrow,
      recipients: clients.slice(0, 10),
    },
    {
      name: names[1],
      message: messages[1] as Message,
      startAt: new Date(now.getTime() - 3 * DAY),
      endAt: new Date(now.getTime() + 60 * DAY),
      periodicity: 'weekly' as const,
      status: 'running' as const,
      nextRunAt: new Date(now.getTime() + 4 * DAY),
      recipients: clients,
      pastRunAt: new Date(now.getTime() - 3 * DAY),
    },
    {
      name: names[2],
      message: messages[2] as Message,
      startAt: new Date(now.getTime() - 40 * DAY),
      endAt: new Date(now.getTime() - 39 * DAY),
      periodicity: 'once' as const,
      status: 'completed' as const,
      nextRunAt: null,
      recipients: clients.slice(10, 25),
      pastRunAt: new Date(now.getTime() - 40 * DAY),
    },
  ];
  for (const { message, recipients, pastRunAt, ...mailing } of mailings) {
    const [row, created] = await Mailing.findOrCreate({
      where: { ownerId: customer.id, name: mailing.name },
      defaults: { ...mailing, ownerId: customer.id, messageId: message.id, timeZone: customer.timeZone },
      transaction,
    });
    if (created) {
      createdRows += 1;
      await row.setClients(recipients, { transaction });
      if (pastRunAt) createdRows += await seedFinishedRun(row, recipients, pastRunAt, transaction);
    }
  }
  return createdRows;
}

/** The blog's published posts and one draft. */
async function seedPosts(author: User, now: Date, count: Counter, transaction: Transaction): Promise<void> {
  for (const [index, [title, content]] of DEMO_POSTS.entries()) {
    const publishedAt = new Date(now.getTime() - (DEMO_POSTS.length - index) * 7 * DAY);
    count(
      await Post.findOrCreate({
        where: { title: title as string },
        defaults: {
          title: title as string,
          content: content as string,
          authorId: author.id,
          isPublished: true,
          publishedAt,
        },
        transaction,
      }),
    );
  }
  count(
    await Post.findOrCreate({
      where: { title: 'Draft: what is coming next' },
      defaults: { title: 'Draft: what is coming next', content: 'Not published yet.', authorId: author.id },
      transaction,
    }),
  );
}

/** A run that already happened, so the report and the detail page have a log to show: most sent, a few not. */
async function seedFinishedRun(
  mailing: Mailing,
  recipients: Client[],
  at: Date,
  transaction: Transaction,
): Promise<number> {
  const outcomes = recipients.map((client, index) => {
    const lastAttemptAt = new Date(at.getTime() + (index + 1) * 1000);
    const base = { email: client.email, fullName: client.fullName, clientId: client.id, lastAttemptAt };
    if (index === 3) {
      return {
        ...base,
        status: 'failed' as const,
        attemptCount: 1,
        errorClass: 'permanent',
        smtpResponse: `550 5.1.1 <${client.email}>: Recipient address rejected: User unknown in virtual mailbox table`,
      };
    }
    if (index === 7) {
      return {
        ...base,
        status: 'failed' as const,
        attemptCount: 3,
        errorClass: 'temporary',
        smtpResponse: '451 4.7.1 Greylisted, please try again later',
      };
    }
    const queueId = `${(0x4a2f00 + index).toString(16).toUpperCase()}B${index}`;
    return {
      ...base,
      status: 'sent' as const,
      attemptCount: 1,
      sentAt: lastAttemptAt,
      smtpResponse: `250 2.0.0 Ok: queued as ${queueId}`,
    };
  });
  const sent = outcomes.filter((outcome) => outcome.status === 'sent').length;
  const run = await MailingRun.create(
    {
      mailingId: mailing.id,
      scheduledAt: at,
      state: 'finished',
      totalCount: outcomes.length,
      sentCount: sent,
      failedCount: outcomes.length - sent,
      unknownCount: 0,
      startedAt: at,
      finishedAt: new Date(at.getTime() + (outcomes.length + 1) * 1000),
    },
    { transaction },
  );
  await Delivery.bulkCreate(
    outcomes.map((outcome) => ({ ...outcome, runId: run.id })),
    { transaction },
  );
  return 1 + outcomes.length;
}
