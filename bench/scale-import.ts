// bench:scale's import phase: a generated CSV of a million clients uploaded through the real form (multipart, the
// session's CSRF token) to the background import, its progress polled as the htmx page polls it, and the rows/s
// of the whole (upload to done) and of the job alone (its started/finished instants), against the goal.
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { ClientImport } from '../src/db/models/index.js';
import { writeImportCsv } from './import-csv.js';
import { headersOf } from './scale-measure.js';
import { idleRssMb, whileSampling } from './scale-export.js';
import { count, figureLine, phaseHeading } from './scale-report.js';
import { csrfTokenOf } from './server.js';

const ROWS_PER_SECOND_GOAL = 50_000;
/** How often the benchmark asks for the progress (the page asks every second; this is finer, for the timing). */
const POLL_MS = 250;

/** What the import phase needs: the server, a signed-in customer with no clients yet, a folder for the file. */
export interface ImportSetup {
  base: string;
  cookie: string;
  serverPid: number;
  rows: number;
  dir: string;
}

async function upload(setup: ImportSetup, file: string): Promise<string> {
  const form = await fetch(`${setup.base}/clients/import`, { headers: headersOf(setup.cookie) });
  const token = csrfTokenOf(await form.text());
  const body = new FormData();
  body.append('_csrf', token);
  body.append('file', await openAsBlob(file, { type: 'text/csv' }), 'clients.csv');
  const res = await fetch(`${setup.base}/clients/imports`, {
    method: 'POST',
    redirect: 'manual',
    headers: headersOf(setup.cookie, { 'x-csrf-token': token }),
    body,
  });
  const location = res.headers.get('location');
  if (res.status !== 303 || !location)
    throw new Error(`upload answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
  return location;
}

async function pollUntilFinished(setup: ImportSetup, location: string): Promise<string> {
  for (;;) {
    const res = await fetch(`${setup.base}${location}`, { headers: headersOf(setup.cookie, { 'hx-request': 'true' }) });
    const status = /data-status="([a-z]+)"/.exec(await res.text())?.[1];
    if (res.status !== 200 || !status) throw new Error(`progress answered ${res.status} without a status`);
    if (status === 'done' || status === 'failed') return status;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function errorRows(setup: ImportSetup, location: string): Promise<number> {
  const res = await fetch(`${setup.base}${location}/errors.csv`, { headers: headersOf(setup.cookie) });
  if (res.status !== 200) throw new Error(`errors.csv answered ${res.status}`);
  return (await res.text()).split('\n').filter(Boolean).length - 1;
}

/** Generates the file, imports it through the app and prints the figures. */
export async function importPhase(setup: ImportSetup): Promise<void> {
  phaseHeading('import');
  const file = path.join(setup.dir, 'clients.csv');
  await writeImportCsv(file, setup.rows);
  const idle = await idleRssMb(setup.serverPid);
  const started = performance.now();
  const { result, peak } = await whileSampling(setup.serverPid, async () => {
    const location = await upload(setup, file);
    const uploadSeconds = (performance.now() - started) / 1000;
    return { location, uploadSeconds, status: await pollUntilFinished(setup, location) };
  });
  const { location, uploadSeconds, status } = result;
  const seconds = (performance.now() - started) / 1000;
  const id = Number(/(\d+)$/.exec(location)?.[1]);
  const job = await ClientImport.findByPk(id, { rejectOnEmpty: true });
  const jobSeconds = ((job.finishedAt?.getTime() ?? 0) - (job.startedAt?.getTime() ?? 0)) / 1000;
  const jobRate = job.totalRows / jobSeconds;
  figureLine({
    phase: 'import',
    what: `CSV import of ${count(setup.rows)} rows, the job`,
    figure:
      `${count(jobRate)} rows/s (${jobSeconds.toFixed(1)} s; ${status}: ${count(job.importedCount)} imported,` +
      ` ${count(job.invalidCount)} invalid, ${count(job.duplicateCount)} repeated)`,
    goal: `≥ ${count(ROWS_PER_SECOND_GOAL)} rows/s`,
    ok: status === 'done' && jobRate >= ROWS_PER_SECOND_GOAL,
  });
  figureLine({
    phase: 'import',
    what: 'CSV import, upload to done',
    figure:
      `${count(setup.rows / seconds)} rows/s (${seconds.toFixed(1)} s, the upload ${uploadSeconds.toFixed(1)} s;` +
      ` server RSS +${(peak - idle).toFixed(0)} MB over ${idle.toFixed(0)} MB)`,
    goal: '',
    ok: null,
  });
  if (status === 'done') {
    const skipped = await errorRows(setup, location);
    const expected = job.invalidCount + job.duplicateCount + job.existsCount;
    figureLine({
      phase: 'import',
      what: 'skipped rows downloadable (errors.csv)',
      figure: `${count(skipped)} rows of ${count(expected)} skipped`,
      goal: 'all of them',
      ok: skipped === expected,
    });
  }
}
