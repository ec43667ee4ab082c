// bench:scale's export phase: a CSV download streamed from the server, its time to the first byte and the server's
// resident memory over idle while it runs (VmRSS of the server's process, sampled every 100 ms from /proc).
import { readFileSync } from 'node:fs';
import { headersOf, quantile, type Target } from './scale-measure.js';
import { count, figureLine, ms, phaseHeading } from './scale-report.js';

const FIRST_BYTE_GOAL_MS = 200;
const RSS_GOAL_MB = 50;

/** The process's resident set in MB, from /proc (Linux). */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match?.[1]) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** The server's RSS at rest: the median of ten samples over a second. */
export async function idleRssMb(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let k = 0; k < 10; k += 1) {
    samples.push(rssMb(pid));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return quantile(samples, 0.5);
}

/** Does the work while sampling the process's RSS every 100 ms; gives the work's result and the peak seen. */
export async function whileSampling<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 100);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, rssMb(pid)) };
  } finally {
    clearInterval(timer);
  }
}

/** What one download took: first byte, whole time, bytes and lines (rows + the header). */
interface Download {
  firstByteMs: number;
  seconds: number;
  bytes: number;
  lines: number;
}

async function download(target: Target): Promise<Download> {
  const started = performance.now();
  const res = await fetch(target.url, { headers: headersOf(target.cookie), redirect: 'manual' });
  if (res.status !== 200 || !res.body) throw new Error(`${target.url} answered ${res.status}`);
  let firstByteMs = 0;
  let bytes = 0;
  let lines = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    if (bytes === 0) firstByteMs = performance.now() - started;
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
  }
  return { firstByteMs, seconds: (performance.now() - started) / 1000, bytes, lines };
}

/** Downloads one export and prints its first byte and the server's RSS over idle, each against its goal. */
export async function exportLine(name: string, target: Target, serverPid: number): Promise<void> {
  const idle = await idleRssMb(serverPid);
  const { result, peak } = await whileSampling(serverPid, () => download(target));
  const rows = result.lines - 1;
  figureLine({
    phase: 'export',
    what: `${name}: first byte`,
    figure: `${ms(result.firstByteMs)} ms (${count(rows)} rows, ${(result.bytes / 1e6).toFixed(0)} MB in ${result.seconds.toFixed(1)} s, ${count(rows / result.seconds)} rows/s)`,
    goal: `≤ ${FIRST_BYTE_GOAL_MS} ms`,
    ok: result.firstByteMs <= FIRST_BYTE_GOAL_MS,
  });
  figureLine({
    phase: 'export',
    what: `${name}: server RSS over idle`,
    figure: `+${(peak - idle).toFixed(0)} MB (idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB)`,
    goal: `≤ +${RSS_GOAL_MB} MB`,
    ok: peak - idle <= RSS_GOAL_MB,
  });
}

/** The export phase: each download in turn. */
export async function exportPhase(exports: { name: string; target: Target }[], serverPid: number): Promise<void> {
  phaseHeading('exports');
  for (const { name, target } of exports) await exportLine(name, target, serverPid);
}
