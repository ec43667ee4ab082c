// bench:scale's timing of HTTP requests against the running server: one request at a time for a while, or several
// users each asking again as soon as their answer is read; latencies are to the last byte of the body.
import { BEHIND_TLS } from './server.js';

/** A request the benchmark repeats: an absolute URL and a signed-in session's cookie. */
export interface Target {
  url: string;
  cookie: string;
}

/** Latencies of one measure, in milliseconds, and its throughput. */
export interface Timing {
  p50: number;
  p95: number;
  count: number;
  rps: number;
}

/** How long a measure asks again: at least `least` requests, then until `seconds` have passed or `most` were made. */
export interface Budget {
  seconds: number;
  least: number;
  most: number;
}

/** The headers of a signed-in browser request behind the (imaginary) TLS proxy. */
export function headersOf(cookie: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...BEHIND_TLS, 'accept-language': 'en', cookie, ...extra };
}

/** One request's time to its last byte; anything but 200 stops the benchmark (a wrong URL measures nothing). */
export async function timeRequest(target: Target): Promise<number> {
  const started = performance.now();
  const res = await fetch(target.url, { headers: headersOf(target.cookie), redirect: 'manual' });
  await res.arrayBuffer();
  const ms = performance.now() - started;
  if (res.status !== 200) throw new Error(`${target.url} answered ${res.status}`);
  return ms;
}

/** The q-quantile (0 < q ≤ 1) by nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

function timingOf(latencies: number[], wallMs: number): Timing {
  return {
    p50: quantile(latencies, 0.5),
    p95: quantile(latencies, 0.95),
    count: latencies.length,
    rps: (latencies.length * 1000) / wallMs,
  };
}

/** `users` users asking in a loop within the budget (each stops when the budget says so). */
export async function measure(target: Target, users: number, budget: Budget): Promise<Timing> {
  const latencies: number[] = [];
  const started = performance.now();
  const more = () =>
    latencies.length < budget.least ||
    (performance.now() - started < budget.seconds * 1000 && latencies.length < budget.most);
  await Promise.all(
    Array.from({ length: users }, async () => {
      while (more()) latencies.push(await timeRequest(target));
    }),
  );
  return timingOf(latencies, performance.now() - started);
}

/** Users asking in a loop until stopped: the load beside a measure (the neighbour effect). */
export function backgroundLoad(targets: readonly Target[]): { stop(): Promise<number> } {
  let running = true;
  let count = 0;
  const loops = targets.map(async (target) => {
    while (running) {
      await timeRequest(target);
      count += 1;
    }
  });
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return count;
    },
  };
}
