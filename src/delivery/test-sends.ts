// Test sends: each pending row is claimed by one worker (a conditional UPDATE), composed as for a real recipient
// but with no client (no unsubscribe link) and a "[Test]" subject, sent once, and its outcome logged on the row.
import { Op } from 'sequelize';
import type { Config } from '../config.js';
import { Message, TestSend, User, type DeliveryStatus } from '../db/models/index.js';
import { translator } from '../i18n/i18n.js';
import type { Logger } from '../logger.js';
import { composeEmail, contentOf, domainOf } from './compose.js';
import { outcomeOfFailure, outcomeOfSuccess, type Outcome, type OutcomeKind } from './smtp-outcome.js';
import type { MailTransport } from './transports.js';

export interface TestSendDependencies {
  config: Pick<Config, 'mailFrom' | 'appUrl' | 'sessionSecret'>;
  transport: MailTransport;
  logger: Logger;
}

/** A test is tried once: a failure is the owner's to read and retry by hand, and an unknown is never resent. */
const STATUS_OF: Record<OutcomeKind, DeliveryStatus> = {
  accepted: 'sent',
  temporary: 'failed',
  permanent: 'failed',
  unknown: 'unknown',
};

/**
 * What a test's reply says when no server answered: a translation key, stored as the reply and shown in the
 * reader's language (testSendReply).
 */
export const TEST_SEND_NOTES = {
  interrupted: 'testSends.notes.interrupted',
  ownerBlocked: 'testSends.notes.ownerBlocked',
  messageDeleted: 'testSends.notes.messageDeleted',
} as const;

const NOTE_KEYS: ReadonlySet<string> = new Set(Object.values(TEST_SEND_NOTES));

/** A test's reply for the screen: our own notes in the reader's language, a server's reply as it came. */
export function testSendReply(t: (key: string) => string, reply: string | null): string {
  if (!reply) return '';
  return NOTE_KEYS.has(reply) ? t(reply) : reply;
}

/** A claim older than this was a worker's that died mid-send: it may have gone out, so it becomes unknown. */
export const TEST_SEND_STALE_MS = 10 * 60 * 1000;

/**
 * Takes the oldest pending test send for this worker: `UPDATE … WHERE status = 'pending'` changes the row for
 * one claimer only, so two workers never send the same test; the loser looks at the next row.
 */
export async function claimTestSend(now = new Date()): Promise<TestSend | null> {
  for (;;) {
    const next = await TestSend.findOne({ where: { status: 'pending' }, order: [['id', 'ASC']] });
    if (!next) return null;
    const [claimed] = await TestSend.update(
      { status: 'sending', attemptedAt: now },
      { where: { id: next.id, status: 'pending' } },
    );
    if (claimed === 1) return next.set({ status: 'sending', attemptedAt: now });
  }
}

/** Turns the claims of a worker that died mid-send unknown (never resent: the first copy may have arrived). */
export async function reapTestSends(now = new Date()): Promise<number> {
  const [reaped] = await TestSend.update(
    { status: 'unknown', reply: TEST_SEND_NOTES.interrupted },
    { where: { status: 'sending', attemptedAt: { [Op.lt]: new Date(now.getTime() - TEST_SEND_STALE_MS) } } },
  );
  return reaped;
}

/** Sends one claimed test send and logs what became of it; never throws for a failed send. */
export async function sendTestSend(row: TestSend, deps: TestSendDependencies): Promise<DeliveryStatus> {
  const message =
    row.messageId === null ? null : await Message.findByPk(row.messageId, { include: [{ model: User, as: 'owner' }] });
  const owner = message?.owner;
  if (!message || !owner) return finish(row, 'failed', TEST_SEND_NOTES.messageDeleted);
  if (owner.isBlocked) return finish(row, 'failed', TEST_SEND_NOTES.ownerBlocked);
  const { config } = deps;
  const content = contentOf(message, owner.fullName, config.mailFrom);
  // The prefix is for the owner, who reads the test: in their language.
  const subject = `${translator(owner.language)('testSends.subjectPrefix')} ${content.subject}`;
  const recipient = { deliveryId: row.id, runId: 0, clientId: null, email: row.address, fullName: owner.fullName };
  const settings = { from: config.mailFrom, appUrl: config.appUrl, secret: config.sessionSecret };
  const mail = {
    ...composeEmail({ ...content, subject }, recipient, settings, 1),
    messageId: `<test${row.id}@${domainOf(config.mailFrom)}>`,
  };
  let outcome: Outcome;
  try {
    outcome = outcomeOfSuccess(await deps.transport.send(mail));
  } catch (error) {
    outcome = outcomeOfFailure(error);
  }
  return finish(row, STATUS_OF[outcome.kind], outcome.reply);
}

async function finish(row: TestSend, status: DeliveryStatus, reply: string): Promise<DeliveryStatus> {
  await TestSend.update({ status, reply }, { where: { id: row.id, status: 'sending' } });
  return status;
}

/** Sends every pending test send, one at a time, in this process; overlapping calls share one drain. */
export class TestSender {
  private draining: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly deps: TestSendDependencies) {}

  /** Sends what is pending now; a call during a drain makes it look once more before it ends. */
  drain(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.draining) {
      this.again = true;
      return this.draining;
    }
    this.draining = this.sendAll()
      .catch((err: unknown) =>
        this.deps.logger.error({ err }, 'sending test e-mails failed; the next reconcile retries'),
      )
      .finally(() => {
        this.draining = null;
        if (this.again) void this.drain();
      });
    return this.draining;
  }

  private async sendAll(): Promise<void> {
    do {
      this.again = false;
      while (!this.stopped) {
        const row = await claimTestSend();
        if (!row) break;
        const status = await sendTestSend(row, this.deps);
        this.deps.logger.info({ testSendId: row.id, status }, 'test e-mail sent');
      }
    } while (this.again && !this.stopped);
  }

  /** Takes no more work and resolves when the send in flight has been logged. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.draining;
  }
}
