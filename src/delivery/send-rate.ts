// One send rate for every process on the database: a row per SMTP server holds the next free slot, and a process
// reserves a few consecutive slots in one statement, then starts each message at its slot.
import type { Sequelize } from 'sequelize';
import { isPostgres, runDirect } from './sql.js';

/** One reservation covers this long at the rate (at least one slot): few statements, and no process hoards. */
const BLOCK_MS = 50;

export interface SendRate {
  /** Resolves when this process may start one more message; rejects if the database could not be asked. */
  acquire(): Promise<void>;
  /**
   * Takes a slot only if one is due now, without waiting (so a caller may send something else meanwhile): 0 when
   * taken, else the milliseconds after which to ask again.
   */
  tryAcquire(): number;
  /** Hands out nothing more: waiting and later acquires reject. */
  close(): void;
}

/** Rate 0: no limit, and not a statement to the database. */
const UNLIMITED: SendRate = { acquire: () => Promise.resolve(), tryAcquire: () => 0, close: () => undefined };

/** How soon to ask again while a block of slots is being reserved. */
const RESERVING_RETRY_MS = 5;

/** The limiter for one SMTP server shared through the database, or no limit when the rate is 0. */
export function createSendRate(sequelize: Sequelize, ratePerSecond: number, key: string): SendRate {
  return ratePerSecond > 0 ? new SharedSendRate(sequelize, ratePerSecond, key) : UNLIMITED;
}

/** The key a limit is shared under: the SMTP server's host:port, so different relays keep separate limits. */
export function sendRateKey(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  // nodemailer's default ports when the URL names none.
  const port = url.port || (url.protocol === 'smtps:' ? '465' : '587');
  return `${url.hostname.toLowerCase()}:${port}`;
}

interface Reserved {
  /** The first reserved slot and the database's time when it was reserved, both in epoch microseconds. */
  startUs: number;
  nowUs: number;
}

/**
 * Reserves `spanUs` microseconds of slots from the later of the next free slot and the database's now, in one
 * statement (inserting the server's row the first time); the database's clock alone decides.
 */
async function reserveSlots(sequelize: Sequelize, key: string, spanUs: number): Promise<Reserved> {
  const postgres = isPostgres(sequelize);
  const nowUs = postgres
    ? '(extract(epoch FROM clock_timestamp()) * 1000000)::bigint'
    : "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)";
  const greatest = postgres ? 'GREATEST' : 'max';
  const rows = await runDirect<{ start_us: number | string; now_us: number | string }>(
    sequelize,
    (param) => `INSERT INTO send_rate_slots (smtp_server, next_slot_us, reserved_at_us)
      SELECT ${param(key)}, clock.now_us + ${param(spanUs, 'bigint')}, clock.now_us
      FROM (SELECT ${nowUs} AS now_us) AS clock
      WHERE true
      ON CONFLICT (smtp_server) DO UPDATE
      SET next_slot_us = ${greatest}(send_rate_slots.next_slot_us, excluded.reserved_at_us) + ${param(spanUs, 'bigint')},
        reserved_at_us = excluded.reserved_at_us
      RETURNING next_slot_us - ${param(spanUs, 'bigint')} AS start_us, reserved_at_us AS now_us`,
  );
  const row = rows[0];
  if (!row) throw new Error(`no send slot was reserved for ${key}`);
  return { startUs: Number(row.start_us), nowUs: Number(row.now_us) };
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
  timer?: NodeJS.Timeout;
}

/**
 * Slots are handed to waiters first come, first served. Local times are `performance.now()`: a slot's wait is
 * its distance from the database's now, counted from when the answer arrived (so never early), and the
 * machine's own wall clock plays no part.
 */
class SharedSendRate implements SendRate {
  private readonly intervalMs: number;
  private readonly blockSlots: number;
  /** The reserved block: slot k starts at `first + k × interval`; slots before `next` are handed out or gone. */
  private block = { first: 0, count: 0, next: 0 };
  private readonly waiting: Waiter[] = [];
  private readonly sleeping = new Set<Waiter>();
  private reserving = false;
  private closed = false;
  /** When `tryAcquire` last took a slot (`performance.now()`). */
  private takenAt = -Infinity;

  constructor(
    private readonly sequelize: Sequelize,
    ratePerSecond: number,
    private readonly key: string,
  ) {
    this.intervalMs = 1000 / ratePerSecond;
    this.blockSlots = Math.max(1, Math.floor((ratePerSecond * BLOCK_MS) / 1000));
  }

  acquire(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the send rate is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.handOut();
    });
  }

  tryAcquire(): number {
    if (this.closed) return 1000;
    const now = performance.now();
    this.dropPassedSlots(now);
    const { block } = this;
    // Waiters of acquire() come first.
    if (this.waiting.length === 0 && block.next < block.count) {
      // A slot taken late (its taker was busy) must not bunch with the next one: a whole interval lies between two.
      const at = Math.max(block.first + block.next * this.intervalMs, this.takenAt + this.intervalMs);
      if (at > now) return Math.max(1, Math.ceil(at - now));
      block.next += 1;
      this.takenAt = now;
      return 0;
    }
    if (!this.reserving) void this.reserve();
    return Math.max(1, Math.min(RESERVING_RETRY_MS, Math.ceil(this.intervalMs)));
  }

  close(): void {
    this.closed = true;
    const error = new Error('the send rate is closed');
    for (const waiter of [...this.waiting.splice(0), ...this.sleeping]) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.sleeping.clear();
  }

  /** A slot that passed unused is gone: using it late would bunch messages together. */
  private dropPassedSlots(now: number): void {
    const { block } = this;
    const firstLive = Math.ceil((now - this.intervalMs - block.first) / this.intervalMs);
    block.next = Math.min(block.count, Math.max(block.next, firstLive));
  }

  private handOut(): void {
    this.dropPassedSlots(performance.now());
    const { block } = this;
    while (this.waiting.length > 0 && block.next < block.count) {
      const waiter = this.waiting.shift() as Waiter;
      this.sleepUntil(waiter, block.first + block.next * this.intervalMs);
      block.next += 1;
    }
    if (this.waiting.length > 0 && !this.reserving) void this.reserve();
  }

  /** Resolves the waiter at its slot; a timer may fire up to a millisecond early, so it checks and sleeps on. */
  private sleepUntil(waiter: Waiter, at: number): void {
    const left = at - performance.now();
    if (left <= 0) {
      this.sleeping.delete(waiter);
      waiter.resolve();
      return;
    }
    this.sleeping.add(waiter);
    waiter.timer = setTimeout(() => this.sleepUntil(waiter, at), Math.ceil(left));
  }

  private async reserve(): Promise<void> {
    this.reserving = true;
    // A block, or more when more messages than that are already waiting (lanes outnumber the block's slots).
    const count = Math.max(this.blockSlots, this.waiting.length);
    try {
      const { startUs, nowUs } = await reserveSlots(
        this.sequelize,
        this.key,
        Math.ceil(count * this.intervalMs * 1000),
      );
      const arrived = performance.now();
      this.block = { first: arrived + (startUs - nowUs) / 1000, count, next: 0 };
    } catch (error) {
      // Nothing was reserved: those waiting fail (their messages are not sent) rather than go unlimited.
      for (const waiter of this.waiting.splice(0)) waiter.reject(error);
    } finally {
      this.reserving = false;
    }
    if (!this.closed) this.handOut();
  }
}
