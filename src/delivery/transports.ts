// Where messages go: a pooled SMTP transport with explicit timeouts, or an outbox folder of .eml files.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { SendMailOptions } from 'nodemailer/lib/mailer';
import type { Config } from '../config.js';

/** What a transport reports for one message; mirrors nodemailer's SMTP info. */
export interface SentInfo {
  response: string;
  messageId: string;
  accepted: string[];
  rejected: string[];
  rejectedErrors?: unknown[];
}

export interface MailTransport {
  /** A human description for logs and the CLI (never includes a password). */
  readonly description: string;
  send(mail: SendMailOptions): Promise<SentInfo>;
  close(): void;
}

/** Picks the transport the configuration asks for. */
export function createMailTransport(config: Pick<Config, 'smtpUrl' | 'outboxDir' | 'delivery'>): MailTransport {
  return config.smtpUrl
    ? createSmtpTransport(config.smtpUrl, config.delivery)
    : createOutboxTransport(config.outboxDir);
}

/** A pooled SMTP transport: a fixed number of connections, reused for every message, with short timeouts. */
export function createSmtpTransport(url: string, settings: Config['delivery']): MailTransport {
  const transport = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: settings.poolSize,
    maxMessages: Infinity,
    connectionTimeout: settings.connectionTimeoutMs,
    greetingTimeout: settings.greetingTimeoutMs,
    socketTimeout: settings.socketTimeoutMs,
    dnsTimeout: settings.connectionTimeoutMs,
    ...(settings.ratePerSecond > 0 ? { rateDelta: 1000, rateLimit: settings.ratePerSecond } : {}),
    // A local test or relay server often has a self-signed certificate; the URL may say ?tls.rejectUnauthorized=true.
    tls: { rejectUnauthorized: false },
  });
  // Pool-level errors (a connection dropping between messages) are reported per message; never crash on them.
  transport.on('error', () => undefined);
  return {
    description: `SMTP ${url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}`,
    send: (mail) => transport.sendMail(mail),
    close: () => transport.close(),
  };
}

/** The default without SMTP: each message becomes an .eml file in the outbox folder, as if a server accepted it. */
export function createOutboxTransport(outboxDir: string): MailTransport {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let ready: Promise<unknown> | undefined;
  return {
    description: `outbox ${outboxDir}`,
    async send(mail) {
      ready ??= mkdir(outboxDir, { recursive: true });
      await ready;
      const info = (await composer.sendMail(mail)) as {
        message: Buffer;
        messageId: string;
        envelope: { to: string[] };
      };
      const stamp = new Date()
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z');
      const file = `${stamp}-${info.messageId.replace(/[^A-Za-z0-9.@_-]/g, '')}.eml`;
      await writeFile(path.join(outboxDir, file), info.message);
      return {
        response: `250 2.0.0 Stored in outbox as ${file}`,
        messageId: info.messageId,
        accepted: info.envelope.to,
        rejected: [],
      };
    },
    close: () => composer.close(),
  };
}
