// The report's numbers that speak of deliveries (the chart's days, each run's last attempt) read the counts
// kept per run and quarter-hour beside the log (`run_slot_counts`, migration 0016, kept by database triggers in
// the statement that writes each delivery), so their cost follows the number of runs, not the size of the log.
import type { User } from '../db/models/index.js';
import { boundDatabase } from '../db/models/index.js';
import { selectRows, toDate } from '../delivery/sql.js';
import type { DayCounts } from './report-chart.js';
import { slotsToDays, type SlotCounts } from './report-days.js';
import type { ReportFilters } from './report.form.js';
import { REPORT_RUNS, reportCondition } from './report-filter.js';

/** The chart shows at most this many days (the latest ones) so the bars stay bounded. */
export const CHART_MAX_DAYS = 60;

export interface DailyDeliveries {
  days: DayCounts[];
  /** True when earlier days were left out (more than CHART_MAX_DAYS days have deliveries). */
  truncated: boolean;
}

/** The filtered runs' finished deliveries per day of their last attempt, in the owner's zone, oldest day first. */
export async function deliveriesPerDay(owner: User, filters: ReportFilters): Promise<DailyDeliveries> {
  const where = reportCondition(owner, filters);
  const rows = await selectRows<SlotCounts>(
    boundDatabase(),
    `SELECT c.slot AS slot, SUM(c.sent) AS sent, SUM(c.failed) AS failed, SUM(c.unknown) AS unknown
     FROM ${REPORT_RUNS} JOIN run_slot_counts c ON c.run_id = r.id
     WHERE ${where.sql}
     GROUP BY c.slot HAVING SUM(c.sent + c.failed + c.unknown) > 0 ORDER BY c.slot`,
    where.replacements,
  );
  return slotsToDays(rows, owner.timeZone, CHART_MAX_DAYS);
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
