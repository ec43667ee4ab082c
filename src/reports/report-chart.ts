// The deliveries-per-day chart as geometry: stacked bars (sent, failed, unknown from the bottom), y ticks at
// round numbers and thinned day labels, in SVG user units. Pure, so the view only draws what it is given.

export const CHART_STATUSES = ['sent', 'failed', 'unknown'] as const;
export type ChartStatus = (typeof CHART_STATUSES)[number];

/** One day's finished deliveries; `day` is a calendar date (yyyy-MM-dd) in the reader's zone. */
export interface DayCounts {
  day: string;
  sent: number;
  failed: number;
  unknown: number;
}

export interface ChartSegment {
  status: ChartStatus;
  count: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartBar {
  day: string;
  total: number;
  segments: ChartSegment[];
}

export interface ChartTick {
  value: number;
  y: number;
}

export interface ChartLabel {
  day: string;
  x: number;
  y: number;
}

export interface ChartGeometry {
  width: number;
  height: number;
  /** The plotting area: bars grow up from `bottom`, ticks sit left of `left`. */
  plot: { left: number; right: number; top: number; bottom: number };
  /** The top of the y axis (a round number at or above the busiest day). */
  max: number;
  bars: ChartBar[];
  ticks: ChartTick[];
  labels: ChartLabel[];
  totals: Record<ChartStatus, number>;
  /** True when no day has any delivery: the view shows an empty state instead. */
  isEmpty: boolean;
}

export interface ChartSize {
  width: number;
  height: number;
  /** At most this many day labels under the bars. */
  maxLabels: number;
}

export const DEFAULT_CHART_SIZE: ChartSize = { width: 640, height: 220, maxLabels: 8 };

const MARGIN = { left: 40, right: 8, top: 8, bottom: 24 };
const BAR_FILL_RATIO = 0.7;
const MAX_TICK_INTERVALS = 4;

const round = (value: number): number => Math.round(value * 100) / 100;

/** The smallest 1, 2 or 5 × 10ⁿ (at least 1) that is ≥ value: a tick step people read at a glance. */
export function niceStep(value: number): number {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= value);
  return step ?? 10 * power;
}

/** Lays out days of counts (in order, one entry per day) as stacked bars with axes. */
export function chartGeometry(days: readonly DayCounts[], size: ChartSize = DEFAULT_CHART_SIZE): ChartGeometry {
  const plot = {
    left: MARGIN.left,
    right: size.width - MARGIN.right,
    top: MARGIN.top,
    bottom: size.height - MARGIN.bottom,
  };
  const totals: Record<ChartStatus, number> = { sent: 0, failed: 0, unknown: 0 };
  for (const day of days) for (const status of CHART_STATUSES) totals[status] += day[status];
  const busiest = Math.max(0, ...days.map((day) => day.sent + day.failed + day.unknown));
  const step = niceStep(busiest / MAX_TICK_INTERVALS);
  const max = Math.max(step, Math.ceil(busiest / step) * step);
  const plotHeight = plot.bottom - plot.top;
  const yOf = (value: number): number => plot.bottom - (value / max) * plotHeight;

  const slot = days.length > 0 ? (plot.right - plot.left) / days.length : 0;
  const barWidth = round(slot * BAR_FILL_RATIO);
  const bars = days.map((day, index): ChartBar => {
    const x = round(plot.left + index * slot + (slot - barWidth) / 2);
    const segments: ChartSegment[] = [];
    let stacked = 0;
    for (const status of CHART_STATUSES) {
      const count = day[status];
      if (count <= 0) continue;
      const top = round(yOf(stacked + count));
      segments.push({ status, count, x, y: top, width: barWidth, height: round(round(yOf(stacked)) - top) });
      stacked += count;
    }
    return { day: day.day, total: stacked, segments };
  });

  const ticks: ChartTick[] = [];
  for (let value = 0; value <= max; value += step) ticks.push({ value, y: round(yOf(value)) });

  const every = Math.max(1, Math.ceil(days.length / Math.max(1, size.maxLabels)));
  const labels = days
    .map((day, index) => ({ day: day.day, x: round(plot.left + (index + 0.5) * slot), y: size.height - 8 }))
    .filter((_label, index) => index % every === 0);

  return {
    width: size.width,
    height: size.height,
    plot,
    max,
    bars,
    ticks,
    labels,
    totals,
    isEmpty: busiest === 0,
  };
}
