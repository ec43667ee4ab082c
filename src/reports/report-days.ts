// The chart's days from the quarter-hour counts: each slot falls in the owner's calendar day that holds its start.
// The slots come in order, so the day's bounds (its local midnight and the next, whatever the zone's offset did
// that day) are worked out once per day with Luxon and every slot is placed by comparing numbers.
import { DateTime } from 'luxon';
import type { DayCounts } from './report-chart.js';

/** Seconds in one slot of run_slot_counts: every zone's midnight falls on one's start. */
export const SLOT_SECONDS = 900;

/** One slot's finished deliveries, as the grouped query returns them (PostgreSQL sums come back as text). */
export interface SlotCounts {
  slot: number | string;
  sent: number | string;
  failed: number | string;
  unknown: number | string;
}

export interface SlotDays {
  days: DayCounts[];
  /** True when earlier days were left out (the slots span more than maxDays days). */
  truncated: boolean;
}

function dayStart(slot: number | string, zone: string): DateTime {
  return DateTime.fromMillis(Number(slot) * SLOT_SECONDS * 1000, { zone }).startOf('day');
}

/** The slots (ordered by slot) summed per calendar day in the zone: the latest maxDays days, every day listed. */
export function slotsToDays(rows: readonly SlotCounts[], zone: string, maxDays: number): SlotDays {
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) return { days: [], truncated: false };
  const lastDay = dayStart(last.slot, zone);
  const earliest = lastDay.minus({ days: maxDays - 1 });
  const firstSeen = dayStart(first.slot, zone);
  const firstDay = firstSeen < earliest ? earliest : firstSeen;
  const dayCount = Math.round(lastDay.diff(firstDay, 'days').days) + 1;
  const starts = Array.from({ length: dayCount + 1 }, (_, i) => firstDay.plus({ days: i }));
  const bounds = starts.map((start) => start.toMillis());
  const days: DayCounts[] = starts.slice(0, dayCount).map((start) => ({
    day: start.toISODate() ?? '',
    sent: 0,
    failed: 0,
    unknown: 0,
  }));
  let index = 0;
  for (const row of rows) {
    const at = Number(row.slot) * SLOT_SECONDS * 1000;
    if (at < (bounds[0] ?? 0)) continue;
    while (index < dayCount - 1 && at >= (bounds[index + 1] ?? Infinity)) index += 1;
    const day = days[index];
    if (!day) continue;
    day.sent += Number(row.sent);
    day.failed += Number(row.failed);
    day.unknown += Number(row.unknown);
  }
  return { days, truncated: firstSeen < earliest };
}
