// The places of destination groups' concurrency, shared by every process on the database (table destination_slots,
// migration 0037): a place is a row (group, number) held by one worker until its lease runs out. Taking, renewing and
// giving back places are one statement each for any number of groups, so a process pays them per claimed batch and
// per renewal tick, not per message.
import type { Sequelize } from 'sequelize';
import { isPostgres, selectRows } from './sql.js';

/** How many places of a group a worker asks for, out of the group's concurrency. */
export interface SlotRequest {
  group: string;
  concurrency: number;
  want: number;
}

/** A place a worker holds. */
export interface HeldSlot {
  group: string;
  slot: number;
}

/** The database's clock in epoch milliseconds: every process compares leases by the same clock. */
function nowMsSql(sequelize: Sequelize): string {
  return isPostgres(sequelize)
    ? '(extract(epoch FROM clock_timestamp()) * 1000)::bigint'
    : "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
}

/**
 * Takes up to `want` free places of each group (never holding more than its concurrency counted over every
 * process): a place nobody holds, or whose lease ran out, becomes the holder's until the database's now + `leaseMs`.
 * Two processes racing for one place: the upsert's condition is checked again on the row as the winner left it.
 */
export async function takeSlots(
  sequelize: Sequelize,
  holder: string,
  requests: SlotRequest[],
  leaseMs: number,
): Promise<HeldSlot[]> {
  const asked = requests.filter((r) => r.want > 0);
  if (asked.length === 0) return [];
  const replacements: Record<string, unknown> = { holder, leaseMs };
  const values = asked.map((r, i) => {
    Object.assign(replacements, { [`g${i}`]: r.group, [`n${i}`]: r.concurrency, [`w${i}`]: r.want });
    return `(:g${i}, :n${i}, :w${i})`;
  });
  replacements.maxN = Math.max(...asked.map((r) => r.concurrency));
  const rows = await selectRows<{ group_name: string; slot: number | string }>(
    sequelize,
    `WITH RECURSIVE wanted(group_name, size, want) AS (VALUES ${values.join(', ')}),
      series(s) AS (SELECT 0 UNION ALL SELECT s + 1 FROM series WHERE s + 1 < :maxN),
      clock(now_ms) AS (SELECT ${nowMsSql(sequelize)}),
      free AS (
        SELECT w.group_name, series.s AS slot, w.want,
          ROW_NUMBER() OVER (PARTITION BY w.group_name ORDER BY series.s) AS place
        FROM wanted w JOIN series ON series.s < w.size, clock
        WHERE NOT EXISTS (SELECT 1 FROM destination_slots d
          WHERE d.group_name = w.group_name AND d.slot = series.s AND d.expires_at_ms > clock.now_ms))
    INSERT INTO destination_slots (group_name, slot, holder, expires_at_ms)
    SELECT free.group_name, free.slot, :holder, clock.now_ms + :leaseMs FROM free, clock
    WHERE free.place <= free.want
    ORDER BY free.group_name, free.slot
    ON CONFLICT (group_name, slot) DO UPDATE SET holder = excluded.holder, expires_at_ms = excluded.expires_at_ms
      WHERE destination_slots.expires_at_ms <= excluded.expires_at_ms - :leaseMs
    RETURNING group_name, slot`,
    replacements,
  );
  return rows.map((r) => ({ group: r.group_name, slot: Number(r.slot) }));
}

/** Extends every place the holder still holds to the database's now + `leaseMs`; returns those it still holds. */
export async function renewSlots(sequelize: Sequelize, holder: string, leaseMs: number): Promise<HeldSlot[]> {
  const rows = await selectRows<{ group_name: string; slot: number | string }>(
    sequelize,
    `UPDATE destination_slots SET expires_at_ms = ${nowMsSql(sequelize)} + :leaseMs
     WHERE holder = :holder RETURNING group_name, slot`,
    { holder, leaseMs },
  );
  return rows.map((r) => ({ group: r.group_name, slot: Number(r.slot) }));
}

/** Gives places back, so another process may take them at once (a place not held any more is left alone). */
export async function giveBackSlots(sequelize: Sequelize, holder: string, slots: HeldSlot[]): Promise<void> {
  if (slots.length === 0) return;
  const replacements: Record<string, unknown> = { holder };
  const pairs = slots.map((s, i) => {
    Object.assign(replacements, { [`g${i}`]: s.group, [`s${i}`]: s.slot });
    return `(group_name = :g${i} AND slot = :s${i})`;
  });
  await selectRows(
    sequelize,
    `DELETE FROM destination_slots WHERE holder = :holder AND (${pairs.join(' OR ')}) RETURNING slot`,
    replacements,
  );
}
