// Events between processes on one PostgreSQL database: each process keeps one dedicated connection (not a pool's)
// that LISTENs on one channel. A shared event emitted here is sent as a NOTIFY (a small JSON payload carrying this
// process's origin id, so the sender skips its own); one heard from another process is emitted on the local bus
// alone. NOTIFYs go out through the pool. A lost connection is logged and reopened with backoff; what this process
// misses meanwhile is covered by the reconcile and the cache TTLs (and `onReconnect`).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import { z } from 'zod';
import type { RelayedEvent, Relay, SharedArgs } from '../event-bus.js';
import type { Logger } from '../logger.js';

/** The one channel every process of the service listens on (NOTIFY is per database: another database's never mix). */
export const EVENTS_CHANNEL = 'mailer_events';

/** What the bridge needs of a bus (src/event-bus.ts). */
export interface BridgedBus {
  readonly name: string;
  relayTo(relay: Relay | null): void;
  deliver(event: string, args: SharedArgs): boolean;
}

export interface EventBridgeOptions {
  url: string;
  logger: Logger;
  buses: BridgedBus[];
  /** Sends the NOTIFYs (a pool's connection for a moment each), whether or not this process listens right now. */
  sequelize: Sequelize;
  /** False for a short command: it only sends (NOTIFY through the pool) and opens no listening connection. */
  listen?: boolean;
  /** Runs after each reconnect: whatever other processes sent meanwhile was missed. */
  onReconnect?: () => void;
  /** Backoff between reconnect attempts: doubles from `firstMs` up to `maxMs`. */
  retry?: { firstMs: number; maxMs: number };
  /** How often the connection is checked with a query (a silent network drop sends no error), and how long it may take. */
  ping?: { everyMs: number; timeoutMs: number };
}

const PAYLOAD = z.object({
  o: z.string().max(64),
  b: z.string().max(32),
  e: z.string().max(64),
  a: z.array(z.number().nullable()).max(8),
});

/** The payload of a NOTIFY, or null when it is not one of ours. */
function parsePayload(text: string): z.infer<typeof PAYLOAD> | null {
  try {
    const parsed = PAYLOAD.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** One process's end of the bridge; see the module comment. */
export class EventBridge {
  /** This process's id in every payload it sends (also in the connection's application_name). */
  readonly origin = randomBytes(6).toString('hex');
  private client: pg.Client | null = null;
  private closed = false;
  private attempt = 0;
  private downSince: number | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private readonly pingTimer: NodeJS.Timeout;
  private readonly outbox = new Map<string, RelayedEvent>();
  private flushing: NodeJS.Immediate | null = null;
  private readonly sends = new Set<Promise<void>>();
  private waiters: (() => void)[] = [];
  private pinging = false;

  constructor(private readonly options: EventBridgeOptions) {
    for (const bus of options.buses) bus.relayTo((event) => this.queue(event));
    const ping = options.ping ?? { everyMs: 30_000, timeoutMs: 5_000 };
    this.pingTimer = setInterval(() => void this.ping(ping.timeoutMs), ping.everyMs).unref();
  }

  /** True while the LISTEN connection is open. */
  get listening(): boolean {
    return this.client !== null;
  }

  /** Resolves once the bridge listens (at once when it does). */
  whenListening(): Promise<void> {
    return this.listening ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Opens the connection once; on failure the retries go on in the background. */
  async open(): Promise<void> {
    if (this.options.listen === false) return;
    await this.connect();
  }

  /** Sends what is queued, stops relaying, and closes the connection (graceful shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    for (const bus of this.options.buses) bus.relayTo(null);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.flush();
    await Promise.all([...this.sends]);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private queue(event: RelayedEvent): void {
    if (this.closed) return;
    // Events emitted together (one request, one loop) go once: the same event twice says nothing more.
    this.outbox.set(JSON.stringify([event.bus, event.event, event.args]), event);
    this.flushing ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = null;
    for (const event of this.outbox.values()) {
      const payload = JSON.stringify({ o: this.origin, b: event.bus, e: event.event, a: event.args });
      const sending = this.send(payload).catch((err: unknown) =>
        this.options.logger.warn({ err, event: event.event }, 'event not sent to the other processes'),
      );
      this.sends.add(sending);
      void sending.finally(() => this.sends.delete(sending));
    }
    this.outbox.clear();
  }

  /**
   * NOTIFY through the pool: the listening connection only listens (and pings), so a send never waits behind a
   * connection that died without a word, and a process whose listener is down is still heard by the others.
   */
  private async send(payload: string): Promise<void> {
    await this.options.sequelize.query('SELECT pg_notify(:channel, :payload)', {
      replacements: { channel: EVENTS_CHANNEL, payload },
      type: QueryTypes.SELECT,
    });
  }

  private readonly onNotification = (message: pg.Notification): void => {
    if (message.channel !== EVENTS_CHANNEL || !message.payload) return;
    const heard = parsePayload(message.payload);
    if (!heard || heard.o === this.origin) return;
    const bus = this.options.buses.find((candidate) => candidate.name === heard.b);
    try {
      bus?.deliver(heard.e, heard.a);
    } catch (err) {
      this.options.logger.error({ err, event: heard.e }, 'a listener failed on an event from another process');
    }
  };

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({
      connectionString: this.options.url,
      application_name: `mailer events ${this.origin}`,
      keepAlive: true,
      connectionTimeoutMillis: 5_000,
    });
    // Registered for the client's whole life: an 'error' nobody listens to would end the process.
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, null));
    client.on('notification', this.onNotification);
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      this.failed(err);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listen(client);
  }

  private listen(client: pg.Client): void {
    this.client = client;
    this.attempt = 0;
    if (this.downSince !== null) {
      this.options.logger.info({ downMs: Date.now() - this.downSince }, 'event bridge reconnected to PostgreSQL');
      this.downSince = null;
      this.options.onReconnect?.();
    }
    for (const wake of this.waiters.splice(0)) wake();
  }

  private lost(client: pg.Client, err: Error | null): void {
    if (client !== this.client) return;
    this.client = null;
    void client.end().catch(() => undefined);
    if (this.closed) return;
    this.downSince = Date.now();
    this.options.logger.warn(
      { err: err ?? undefined },
      'event bridge lost its PostgreSQL connection; reconnecting (the reconcile and cache TTLs cover meanwhile)',
    );
    this.retryLater();
  }

  private failed(err: unknown): void {
    if (this.closed) return;
    this.downSince ??= Date.now();
    this.options.logger.warn({ err, attempt: this.attempt + 1 }, 'event bridge cannot reach PostgreSQL; retrying');
    this.retryLater();
  }

  private retryLater(): void {
    const { firstMs, maxMs } = this.options.retry ?? { firstMs: 250, maxMs: 10_000 };
    const delay = Math.min(maxMs, firstMs * 2 ** this.attempt) * (0.8 + Math.random() * 0.4);
    this.attempt += 1;
    this.retryTimer = setTimeout(() => void this.connect(), delay).unref();
  }

  /** A query that does not answer in time means a dead connection that said nothing: it is dropped and reopened. */
  private async ping(timeoutMs: number): Promise<void> {
    const client = this.client;
    if (!client || this.pinging) return;
    this.pinging = true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to a ping within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([client.query('SELECT 1'), late]);
    } catch (err) {
      this.lost(client, err instanceof Error ? err : new Error(String(err)));
    } finally {
      clearTimeout(timer);
      this.pinging = false;
    }
  }
}

/** Starts a bridge over the given buses; it listens once this resolves, or keeps retrying in the background. */
export async function startEventBridge(options: EventBridgeOptions): Promise<EventBridge> {
  const bridge = new EventBridge(options);
  await bridge.open();
  return bridge;
}
