// Where messages go: a pooled SMTP transport with explicit timeouts, or an outbox folder of .eml files.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import nodemailer from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { signedBytes } from './dkim-sign.js';
import { type OutgoingEmail, renderEmail } from './mime.js';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config.js';
import { observeSmtpReply, replyClassOf } from '../metrics/metrics.js';
import { outcomeOfFailure } from './smtp-outcome.js';
import { createSendRate, sendRateKey, type SendRate } from './send-rate.js';
import { closeReasons } from './smtp-close-reasons.js';

/** What a transport reports for one message; mirrors nodemailer's SMTP info. */
export interface SentInfo {
  response: string;
  messageId: string;
  accepted: string[];
  rejected: string[];
  rejectedErrors?: unknown[];
}

/**
 * A send given up before the message started: `mayStart` said no once its turn came (the worker was told to stop,
 * or the run halted, while it waited for a send slot). Nothing reached the server; the delivery was not attempted.
 */
export class SendNotStarted extends Error {
  constructor() {
    super('the send was given up before the message started');
  }
}

/**
 * A send withdrawn before its final dot: `mayFinish` said no (the delivery's mark did not take, so it is no longer
 * this worker's). The server got no end of data, so it delivers nothing; the delivery was not attempted.
 */
export class SendWithdrawn extends Error {
  constructor() {
    super('the send was withdrawn before the end of its data');
  }
}

export interface MailTransport {
  /** A human description for logs and the CLI (never includes a password). */
  readonly description: string;
  /**
   * Sends one message; `mayStart` is asked once its turn comes (after any wait for the send rate), `mayFinish`
   * is awaited once the whole message but its final dot is with the server: the message is only delivered
   * after it says yes, so what it waits for (the delivery's mark) runs while the SMTP conversation does.
   */
  send(mail: OutgoingEmail, mayStart?: () => boolean, mayFinish?: () => Promise<boolean>): Promise<SentInfo>;
  close(): void;
}

/** Tells the error whether the whole message, final dot included, had been handed to the server. */
function markAfterData(error: unknown, probe: DataProbe): unknown {
  if (probe.dataEnded && typeof error === 'object' && error !== null) Object.assign(error, { afterData: true });
  return error;
}

/** Throws SendNotStarted when the caller no longer wants the message started. */
function checkMayStart(mayStart: (() => boolean) | undefined): void {
  if (mayStart && !mayStart()) throw new SendNotStarted();
}

/** Picks the transport the configuration asks for; SMTP keeps to a send rate shared through the database. */
export function createMailTransport(
  config: Pick<Config, 'smtpUrl' | 'outboxDir' | 'delivery'>,
  sequelize: Sequelize,
): MailTransport {
  return config.smtpUrl
    ? createSmtpTransport(
        config.smtpUrl,
        config.delivery,
        createSendRate(sequelize, config.delivery.ratePerSecond, sendRateKey(config.smtpUrl)),
      )
    : createOutboxTransport(config.outboxDir);
}

/** What the transport learns of one send while nodemailer runs it, and what it asks before the final dot. */
interface DataProbe {
  /** The whole message, final dot included, was handed to the socket. */
  dataEnded: boolean;
  mayFinish?: () => Promise<boolean>;
  /** `mayFinish` said no (or failed): the stream was ended with an error instead of the final dot. */
  withdrawn: boolean;
}

/**
 * Passes the message through and ends it, which makes nodemailer write the final dot, only once `probe.mayFinish`
 * says yes; otherwise it fails the stream, and nodemailer closes the connection without the end of data.
 */
function holdFinalDot(probe: DataProbe): Transform {
  const mayFinish = probe.mayFinish ?? (() => Promise.resolve(true));
  return new Transform({
    transform: (chunk, _encoding, done) => done(null, chunk),
    flush: (done) => {
      const withdraw = (): void => {
        probe.withdrawn = true;
        done(new SendWithdrawn());
      };
      mayFinish().then((yes) => (yes ? done() : withdraw()), withdraw);
    },
  });
}

/**
 * Tells each send whether the message stream was read to its end, i.e. the final dot was handed to the socket,
 * through a 'stream' plugin that wraps the stream nodemailer reads the message from; the same wrapper holds the
 * final dot back until the send's `mayFinish` says yes (`holdFinalDot`). After the final dot a
 * dropped connection or a missing reply means the outcome is unknown. nodemailer 10 has one `socketTimeout`
 * for every wait on an open connection, so the reply to the end of data (RFC 5321 §4.5.3.2.6 suggests ten
 * minutes) cannot be given a longer wait of its own: it waits SMTP_SOCKET_TIMEOUT_MS, and what is later than
 * that is logged `unknown` instead of being retried.
 */
function probeDataEnd(transport: ReturnType<typeof nodemailer.createTransport>): void {
  transport.use('stream', (mail, done) => {
    const probe = (mail.data as { dataProbe?: DataProbe }).dataProbe;
    const message = mail.message;
    if (probe) {
      const createReadStream = message.createReadStream.bind(message);
      message.createReadStream = (...args: Parameters<typeof createReadStream>) => {
        const held = holdFinalDot(probe);
        const stream = createReadStream(...args);
        stream.once('error', (error: Error) => held.destroy(error));
        held.once('end', () => {
          probe.dataEnded = true;
        });
        return stream.pipe(held);
      };
    }
    done();
  });
}

/** The error of a message whose address needs SMTPUTF8 (RFC 6531) from a server that does not offer it. */
export class SmtpUtf8Unavailable extends Error {
  readonly code = 'ESMTPUTF8';
  constructor(address: string) {
    super(
      `The address ${address} has non-ASCII characters before the @, and the SMTP server does not offer SMTPUTF8 (RFC 6531): it cannot be sent there.`,
    );
  }
}

/**
 * Whether the server offers SMTPUTF8, asked on a connection of its own the first time an address needs it (then
 * remembered for the transport's life; a failed question is asked again next time).
 */
function smtpUtf8Probe(url: string, settings: Config['delivery']): () => Promise<boolean> {
  let answer: Promise<boolean> | undefined;
  const ask = (): Promise<boolean> =>
    new Promise((resolve, reject) => {
      const connection = new SMTPConnection({
        ...parseConnectionUrl(url),
        connectionTimeout: settings.connectionTimeoutMs,
        greetingTimeout: settings.greetingTimeoutMs,
        socketTimeout: settings.socketTimeoutMs,
        tls: { rejectUnauthorized: false },
      });
      connection.once('error', reject);
      connection.connect(() => {
        // nodemailer keeps the EHLO keywords in a field its types leave out.
        const keywords = (connection as unknown as { _supportedExtensions?: string[] })._supportedExtensions ?? [];
        connection.quit();
        resolve(keywords.includes('SMTPUTF8'));
      });
    });
  return () => {
    answer ??= ask().catch((error: unknown) => {
      answer = undefined;
      throw error;
    });
    return answer;
  };
}

/**
 * A pooled SMTP transport: a fixed number of connections, reused for every message, with short timeouts. Each
 * message waits for its slot of `rate`, shared by every process on the database (not nodemailer's per-process limit).
 */
export function createSmtpTransport(url: string, settings: Config['delivery'], rate: SendRate): MailTransport {
  const reasons = closeReasons();
  const transport = nodemailer.createTransport({
    // Only to hear the reply that closed a reused connection before a message went (smtp-close-reasons.ts).
    logger: reasons.logger,
    url,
    pool: true,
    maxConnections: settings.poolSize,
    maxMessages: Infinity,
    connectionTimeout: settings.connectionTimeoutMs,
    greetingTimeout: settings.greetingTimeoutMs,
    socketTimeout: settings.socketTimeoutMs,
    dnsTimeout: settings.connectionTimeoutMs,
    // Never resend on another connection by itself: every try is ours, logged as an attempt.
    maxRequeues: 0,
    // A local test or relay server often has a self-signed certificate; the URL may say ?tls.rejectUnauthorized=true.
    tls: { rejectUnauthorized: false },
  });
  // Pool-level errors (a connection dropping between messages) are reported per message; never crash on them.
  transport.on('error', () => undefined);
  probeDataEnd(transport);
  const offersSmtpUtf8 = smtpUtf8Probe(url, settings);
  return {
    description: `SMTP ${url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}`,
    async send(mail, mayStart, mayFinish) {
      const { raw: rendered, envelope, needsSmtpUtf8 } = renderEmail(mail);
      const raw = await signedBytes(rendered, mail.dkim);
      if (needsSmtpUtf8 && !(await offersSmtpUtf8())) throw new SmtpUtf8Unavailable(mail.to.address);
      // The slot may be far off at a low rate: a stop or a halt that came meanwhile wins over sending late.
      await rate.acquire();
      checkMayStart(mayStart);
      const dataProbe: DataProbe = { dataEnded: false, mayFinish, withdrawn: false };
      // The Message-ID is given only so that nodemailer does not make one up (raw is sent as it is).
      const options = { raw, envelope, messageId: mail.messageId, dataProbe };
      const startedAt = performance.now();
      try {
        const info: SentInfo = await transport.sendMail(options);
        observeSmtpReply(replyClassOf(info.response, null), (performance.now() - startedAt) / 1000);
        return { ...info, messageId: mail.messageId };
      } catch (thrown) {
        if (dataProbe.withdrawn) throw new SendWithdrawn();
        const error = reasons.explain(thrown, mail.messageId);
        const { reply, errorClass } = outcomeOfFailure(markAfterData(error, dataProbe));
        observeSmtpReply(replyClassOf(reply, errorClass), (performance.now() - startedAt) / 1000);
        throw error;
      }
    },
    close: () => {
      rate.close();
      transport.close();
    },
  };
}

/** The message as the receiving server would store it: the envelope sender first, as its Return-Path (RFC 5321 §4.4). */
function withReturnPath(raw: Buffer, envelopeFrom: string): Buffer {
  return Buffer.concat([Buffer.from(`Return-Path: <${envelopeFrom}>\r\n`), raw]);
}

/** The default without SMTP: each message becomes an .eml file in the outbox folder, as if a server accepted it. */
export function createOutboxTransport(outboxDir: string): MailTransport {
  let ready: Promise<unknown> | undefined;
  return {
    description: `outbox ${outboxDir}`,
    async send(mail, mayStart, mayFinish) {
      ready ??= mkdir(outboxDir, { recursive: true });
      await ready;
      checkMayStart(mayStart);
      const { raw: rendered, envelope } = renderEmail(mail);
      const raw = await signedBytes(rendered, mail.dkim);
      const stamp = new Date()
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z');
      const file = `${stamp}-${mail.messageId.replace(/[^A-Za-z0-9.@_-]/g, '')}.eml`;
      // The file is the outbox's end of data.
      if (mayFinish && !(await mayFinish().catch(() => false))) throw new SendWithdrawn();
      await writeFile(path.join(outboxDir, file), withReturnPath(raw, envelope.from));
      return {
        response: `250 2.0.0 Stored in outbox as ${file}`,
        messageId: mail.messageId,
        accepted: envelope.to,
        rejected: [],
      };
    },
    close: () => undefined,
  };
}
