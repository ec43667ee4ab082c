// The inbound SMTP listener for bounces and complaints (`mailer bounces`, or inside `serve`): it takes mail only
// for a valid VERP address of the bounce domain (verp.ts; anything else is refused at RCPT), reads each message
// (report-parser.ts) and records it against the delivery the address names (feedback.ts). A message it cannot
// read is accepted and dropped with a log line: refusing a bounce only makes the sender bounce the bounce.
import type { Readable } from 'node:stream';
import type { Sequelize } from 'sequelize';
import { SMTPServer } from 'smtp-server';
import type { BounceSettings } from '../bounce-config.js';
import { recordFeedback } from '../delivery/feedback.js';
import { deliveryOfBounceAddress } from '../delivery/verp.js';
import type { Logger } from '../logger.js';
import { parseReport } from './report-parser.js';

const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

/** A running listener: where it listens, and how to stop it. */
export interface BounceListener {
  port: number;
  close(): Promise<void>;
}

/** An SMTP reply error with its code, as smtp-server sends it. */
function refusal(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

async function readAll(stream: Readable): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size <= MAX_MESSAGE_BYTES) chunks.push(chunk as Buffer);
  }
  return size <= MAX_MESSAGE_BYTES ? Buffer.concat(chunks) : null;
}

/** Reads one received message and records it for every delivery its recipients name. */
async function handleMessage(
  raw: Buffer,
  deliveryIds: number[],
  sequelize: Sequelize,
  settings: BounceSettings,
  logger: Logger,
): Promise<void> {
  const report = await parseReport(raw).catch(() => null);
  if (!report) {
    logger.warn({ deliveryIds }, 'bounce listener: a message that is no bounce or report it can read, dropped');
    return;
  }
  for (const deliveryId of deliveryIds) {
    const result = await recordFeedback(sequelize, { deliveryId, source: 'listener', ...report }, settings);
    logger.info({ deliveryId, kind: report.kind, result }, 'bounce recorded');
  }
}

/** Starts the listener on the configured host and port (0: any free port, for tests). */
export async function startBounceListener(
  sequelize: Sequelize,
  settings: BounceSettings,
  logger: Logger,
): Promise<BounceListener> {
  const server = new SMTPServer({
    name: settings.domain ?? undefined,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onRcptTo(address, _session, callback) {
      if (deliveryOfBounceAddress(address.address, settings) === null)
        return callback(refusal(550, '5.1.1 No such mailbox here'));
      callback();
    },
    onData(stream, session, callback) {
      const ids = session.envelope.rcptTo.map((rcpt) => deliveryOfBounceAddress(rcpt.address, settings) ?? 0);
      readAll(stream)
        .then(async (raw) => {
          if (!raw) return callback(refusal(552, '5.3.4 Message too big'));
          await handleMessage(raw, ids, sequelize, settings, logger);
          callback();
        })
        .catch((err: unknown) => {
          logger.error({ err }, 'bounce listener: recording failed');
          callback(refusal(451, '4.3.0 Try again later'));
        });
    },
  });
  server.on('error', (err) => logger.error({ err }, 'bounce listener error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.smtpPort, settings.smtpHost, () => resolve());
  });
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : settings.smtpPort,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
