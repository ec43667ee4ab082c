// bench:scale's output: each figure printed as it is measured with its goal and ok/MISS beside it, and at the end
// the same figures as Markdown tables for docs/PERFORMANCE.md.
import os from 'node:os';
import type { Timing } from './scale-measure.js';

/** One screen measured for one customer: alone and with concurrent users. */
export interface ScreenRow {
  screen: string;
  customer: string;
  single: Timing;
  busy: Timing;
  goal: string;
  ok: boolean;
}

/** Any other figure: what, how much, the goal, and whether it holds (null: no goal, only information). */
export interface FigureRow {
  phase: string;
  what: string;
  figure: string;
  goal: string;
  ok: boolean | null;
}

const screens: ScreenRow[] = [];
const figures: FigureRow[] = [];

/** Milliseconds as the tables show them. */
export function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

/** A count with thousands separators. */
export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function verdict(ok: boolean | null): string {
  return ok === null ? '' : ok ? 'ok' : 'MISS';
}

/** The load average, for the lines that say what the shared machine was doing. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' / ');
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Prints a phase's heading with the load average of this moment. */
export function phaseHeading(name: string): void {
  out(`\n== ${name} (load ${loadAverage()})`);
}

/** Records and prints a screen's line. */
export function screenLine(row: ScreenRow): void {
  screens.push(row);
  const { single, busy } = row;
  out(
    `${row.screen.padEnd(36)} ${row.customer.padEnd(5)} single p50 ${ms(single.p50).padStart(6)} p95 ${ms(single.p95).padStart(6)} ms` +
      ` (${single.count}) | ${'10 users'} p50 ${ms(busy.p50).padStart(6)} p95 ${ms(busy.p95).padStart(6)} ms` +
      ` ${busy.rps.toFixed(1).padStart(6)} req/s (${busy.count}) | goal ${row.goal} ${verdict(row.ok)}`,
  );
}

/** Records and prints any other figure's line. */
export function figureLine(row: FigureRow): void {
  figures.push(row);
  out(`${row.what.padEnd(48)} ${row.figure} | goal ${row.goal} ${verdict(row.ok)}`.trimEnd());
}

/** Prints everything recorded as Markdown tables. */
export function printMarkdown(title: string): void {
  out(`\n### ${title}\n`);
  if (screens.length > 0) {
    out('| screen | customer | single p50 / p95 ms | 10 users p50 / p95 ms | 10 users req/s | goal | |');
    out('| --- | --- | --- | --- | --- | --- | --- |');
    for (const row of screens) {
      const { single, busy } = row;
      out(
        `| ${row.screen} | ${row.customer} | ${ms(single.p50)} / ${ms(single.p95)} | ${ms(busy.p50)} / ${ms(busy.p95)}` +
          ` | ${busy.rps.toFixed(1)} | ${row.goal} | ${verdict(row.ok)} |`,
      );
    }
    out('');
  }
  if (figures.length > 0) {
    out('| phase | what | figure | goal | |');
    out('| --- | --- | --- | --- | --- |');
    for (const row of figures) out(`| ${row.phase} | ${row.what} | ${row.figure} | ${row.goal} | ${verdict(row.ok)} |`);
  }
}
