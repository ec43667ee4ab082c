// The site's own e-mails (verification, password reset). Sent in the background: a request never waits on
// SMTP; a failure is logged and the user can ask for the link again.
import { randomUUID } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config.js';
import { domainOf } from '../delivery/compose.js';
import { createMailTransport, type MailTransport } from '../delivery/transports.js';
import type { Logger } from '../logger.js';

export interface SystemEmail {
  to: string;
  subject: string;
  text: string;
}

/** A background sender with a way to wait for everything queued (tests, shutdown). */
export class SystemMailer {
  private transport: MailTransport | undefined;
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly config: Pick<Config, 'smtpUrl' | 'outboxDir' | 'delivery' | 'mailFrom'>,
    private readonly logger: Logger,
    /** Where the send rate shared with the mailings' workers is kept (they go to the same SMTP server). */
    private readonly sequelize: Sequelize,
  ) {}

  /** Queues one e-mail and returns at once. */
  send(email: SystemEmail): void {
    this.transport ??= createMailTransport(this.config, this.sequelize);
    const transport = this.transport;
    const job = transport
      .send({
        from: this.config.mailFrom,
        to: { name: '', address: email.to },
        subject: email.subject,
        text: email.text,
        html: null,
        messageId: `<${randomUUID()}@${domainOf(this.config.mailFrom)}>`,
        date: new Date(),
        headers: {},
      })
      .then(
        (info) => this.logger.info({ to: email.to, response: info.response }, 'system e-mail sent'),
        (err: unknown) => this.logger.warn({ err, to: email.to }, 'system e-mail failed'),
      )
      .finally(() => this.pending.delete(job));
    this.pending.add(job);
  }

  /** Resolves when every queued e-mail was handed over or failed. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Waits for queued e-mails, then closes the transport. */
  async close(): Promise<void> {
    await this.idle();
    this.transport?.close();
    this.transport = undefined;
  }
}
