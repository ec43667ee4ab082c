// The report's numbers that speak of deliveries (the chart's days, each run's last attempt) read the counts
// kept per run and quarter-hour beside the log (`run_slot_counts`, migration 0016, kept by database triggers in
// the statement that writes each delivery), so their cost follows the number of runs, not the size of the log.
import { DateTime } from 'luxon';
import type { User } from '../db/models/index.js';
import { boundDatabase } from '../db/models/index.js';
import { selectRows, toDate } from '../delivery/sql.js';
import type { DayCounts } from './report-chart.js';
import type { ReportFilters } from './report.form.js';
import { REPORT_RUNS, reportCondition } from './report-filter.js';

/** The chart shows at most this many days (the latest ones) so the bars stay bounded. */
export const CHART_MAX_DAYS = 60;
/** Seconds in one slot of run_slot_counts: every zone's midnight falls on one's start. */
const SLOT_SECONDS = 900;

export interface DailyDeliveries {
  days: DayCounts[];
  /** True when earlier days were left out (more than CHART_MAX_DAYS days have deliveries). */
  truncated: boolean;
}

interface SlotRecord {
  slot: number | string;
  sent: number | string;
  failed: number | string;
  unknown: number | string;
}

/** The filtered runs' finished deliveries per day of their last attempt, in the owner's zone, oldest day first. */
export async function deliveriesPerDay(owner: User, filters: ReportFilters): Promise<DailyDeliveries> {
  const where = reportCondition(owner, filters);
  const rows = await selectRows<SlotRecord>(
    boundDatabase(),
    `SELECT c.slot AS slot, SUM(c.sent) AS sent, SUM(c.failed) AS failed, SUM(c.unknown) AS unknown
     FROM ${REPORT_RUNS} JOIN run_slot_counts c ON c.run_id = r.id
     WHERE ${where.sql}
     GROUP BY c.slot HAVING SUM(c.sent + c.failed + c.unknown) > 0 ORDER BY c.slot`,
    where.replacements,
  );
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) return { days: [], truncated: false };

  const zone = owner.timeZone;
  const dayStart = (slot: number | string) =>
    DateTime.fromMillis(Number(slot) * SLOT_SECONDS * 1000, { zone }).startOf('day');
  const lastDay = dayStart(last.slot);
  const earliest = lastDay.minus({ days: CHART_MAX_DAYS - 1 });
  const firstSeen = dayStart(first.slot);
  const firstDay = firstSeen < earliest ? earliest : firstSeen;
  const dayCount = Math.round(lastDay.diff(firstDay, 'days').days) + 1;
  // Local midnights: day i holds the slots from its midnight to the next, whatever the zone's offset did that day.
  const days: DayCounts[] = Array.from({ length: dayCount }, (_, i) => ({
    day: firstDay.plus({ days: i }).toISODate() ?? '',
    sent: 0,
    failed: 0,
    unknown: 0,
  }));
  const index = new Map(days.map((day, i) => [day.day, i]));
  for (const row of rows) {
    const day = days[index.get(dayStart(row.slot).toISODate() ?? '') ?? -1];
    if (!day) continue;
    day.sent += Number(row.sent);
    day.failed += Number(row.failed);
    day.unknown += Number(row.unknown);
  }
  return { days, truncated: firstSeen < earliest };
}

/** The latest attempt of each given run, in one grouped query over the counts (runs without attempts are absent). */
export async function lastAttemptsOf(runIds: number[]): Promise<Map<number, Date | null>> {
  if (runIds.length === 0) return new Map();
  const rows = await selectRows<{ run_id: number | string; last_at: unknown }>(
    boundDatabase(),
    'SELECT run_id, MAX(last_at) AS last_at FROM run_slot_counts WHERE run_id IN (:runIds) GROUP BY run_id',
    { runIds },
  );
  return new Map(rows.map((row) => [Number(row.run_id), toDate(row.last_at)]));
}
