// A background import seen from another process: a real `mailer serve` child runs the import that was uploaded to
// it, and this test process's app (another process on the same database) shows its progress, its end and its
// skipped rows; a child killed with -9 half-way leaves an import that this process marks failed, interrupted, once
// its heartbeat is stale, with nothing of it kept; a child stopped with SIGTERM fails its import at once.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { IMPORT_INSERT_ROWS } from '../../../src/clients/client-import-job.js';
import { IMPORT_INTERRUPTED } from '../../../src/clients/client-import-progress.js';
import { Client, ClientImport, type User } from '../../../src/db/models/index.js';
import { exitCodeOf, startCli } from '../../support/cli.js';
import { USING_POSTGRES } from '../../support/database.js';
import { makeUser, unique } from '../../support/factories.js';
import { testConfig } from '../../support/hooks.js';
import { signedIn, testSite, type Browser, type TestSite } from '../../support/web.js';

/** How old a heartbeat may be, here and in the child, before the import counts as dead. */
// Long enough that the look right after the kill still finds it running on a loaded machine.
const STALE_SECONDS = 5;

interface Serve {
  child: ChildProcessWithoutNullStreams;
  base: string;
  output: () => string;
}

async function startServe(): Promise<Serve> {
  const started = await startCli(
    ['serve'],
    {
      DATABASE_URL: testConfig().database.url,
      NODE_ENV: 'test',
      PORT: '0',
      SCHEDULER: 'off',
      LOG_LEVEL: 'warn',
      CLIENT_IMPORT_STALE_SECONDS: String(STALE_SECONDS),
      LOGIN_FAILURES_PER_IP: '1000000',
    },
    /open http:\/\/localhost:(\d+)\n/,
    60_000,
  );
  return { child: started.child, output: started.output, base: `http://localhost:${started.match[1]}` };
}

async function stopServe(serve: Serve | undefined): Promise<void> {
  const child = serve?.child;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await exitCodeOf(child);
}

/** A CSV of `count` new clients of a tag, with one invalid row and one repeated row at the end. */
function csvOf(tag: string, count: number): string {
  const rows = Array.from({ length: count }, (_, i) => `${tag}-${i}@example.test,Person ${i},`);
  return ['email,full_name,comment', ...rows, 'not-an-email,Broken,', `${tag}-1@example.test,Twin,`, ''].join('\n');
}

function upload(browser: Browser, csv: string): Promise<string> {
  return browser.agent
    .post('/clients/imports')
    .field('_csrf', browser.csrf)
    .attach('file', Buffer.from(csv), 'clients.csv')
    .expect(303)
    .then((res) => res.headers.location as string);
}

interface Seen {
  status: string;
  read: number;
  polling: boolean;
  html: string;
}

/** The progress fragment as htmx asks for it, read: its state, its rows read, whether it asks again. */
async function look(browser: Browser, url: string): Promise<Seen> {
  const res = await browser.agent.get(url).set('HX-Request', 'true').expect(200);
  const status = /data-status="(\w+)"/.exec(res.text)?.[1] ?? '';
  const read = Number((/([\d,]+) rows? read/.exec(res.text)?.[1] ?? '0').replaceAll(',', ''));
  return { status, read, polling: res.text.includes('hx-trigger="every 1s"'), html: res.text };
}

/** Polls the fragment until the import is over; returns every look, the last one the end. */
async function watch(browser: Browser, url: string, withinMs = 90_000): Promise<Seen[]> {
  const seen: Seen[] = [];
  const started = Date.now();
  while (Date.now() - started < withinMs) {
    const now = await look(browser, url);
    seen.push(now);
    if (!now.polling) return seen;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the import at ${url} was not over within ${withinMs} ms`);
}

function idOf(url: string): number {
  return Number(/\/clients\/imports\/(\d+)$/.exec(url)?.[1]);
}

/** Waits until the import's row satisfies the check (at most 60 s); returns the row. */
async function rowWhen(id: number, check: (row: ClientImport) => boolean): Promise<ClientImport> {
  const started = Date.now();
  for (;;) {
    const row = await ClientImport.findByPk(id);
    if (row && check(row)) return row;
    if (Date.now() - started > 60_000) throw new Error(`import ${id} never got there: ${JSON.stringify(row)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const clientsOf = (owner: User): Promise<number> => Client.count({ where: { ownerId: owner.id } });

describe('a background import seen from another process', function () {
  this.timeout(180_000);
  let serve: Serve | undefined;
  let site: TestSite;

  beforeEach(async () => {
    site = testSite({ clientImportStaleSeconds: STALE_SECONDS });
    serve = await startServe();
  });
  afterEach(async () => {
    await stopServe(serve);
  });

  it('when one process imports, then another shows its progress from the database, its end and its skipped rows', async () => {
    const owner = await makeUser();
    const [there, here] = await Promise.all([signedIn((serve as Serve).base, owner), signedIn(site.app, owner)]);
    const rows = IMPORT_INSERT_ROWS * 15;
    const url = await upload(there, csvOf(unique('far'), rows));
    const seen = await watch(here, url);
    const end = seen.at(-1) as Seen;
    expect(end.status, end.html).to.equal('done');
    expect(end.html)
      .to.contain('The import is finished.')
      .and.to.contain(`${rows.toLocaleString('en')} clients imported`);
    expect(end.html).to.contain('1 skipped: with errors').and.to.contain('1 skipped: repeated in the file');
    if (USING_POSTGRES) {
      // Counts written by the importing process as it went, read here from the row: some between none and all.
      const between = seen.filter((look) => look.status === 'running' && look.read > 0 && look.read < rows);
      expect(between, JSON.stringify(seen.map(({ status, read }) => [status, read]))).not.to.be.empty;
    }
    expect(await clientsOf(owner)).to.equal(rows);
    const report = await here.agent.get(`${url}/errors.csv`).expect(200);
    const lines: string[][] = parse(report.text.replace(/^\uFEFF/, ''));
    expect(lines.map((line) => line[2])).to.deep.equal([
      'reason',
      'E-mail: Enter a valid e-mail address.',
      'repeated in the file',
    ]);
    // And the process that ran it says the same.
    expect((await look(there, url)).html).to.contain(`${rows.toLocaleString('en')} clients imported`);
  });

  it('when the importing process is killed (-9) half-way, then another marks the import failed once its heartbeat is stale, nothing of it kept, and a new import runs', async () => {
    const owner = await makeUser();
    await owner.update({ language: 'ru' });
    const [there, here] = await Promise.all([signedIn((serve as Serve).base, owner), signedIn(site.app, owner)]);
    const url = await upload(there, csvOf(unique('killed'), 300_000));
    const id = idOf(url);
    // Half-way: on PostgreSQL the row shows batches read (written by the child as it goes); on SQLite the child's
    // transaction keeps its counts from the row, and holding the write lock is its sign of life.
    const running = await rowWhen(id, (row) =>
      USING_POSTGRES ? row.totalRows >= 2 * IMPORT_INSERT_ROWS : row.status === 'running',
    );
    if (!USING_POSTGRES) await new Promise((resolve) => setTimeout(resolve, 700));
    const file = running.filePath as string;
    expect(existsSync(file)).to.equal(true);
    (serve as Serve).child.kill('SIGKILL');
    await exitCodeOf((serve as Serve).child);
    const killedAt = Date.now();
    if (USING_POSTGRES) expect((await look(here, url)).status).to.equal('running');

    const seen = await watch(here, url, 30_000);
    const end = seen.at(-1) as Seen;
    expect(end.status, end.html).to.equal('failed');
    expect(end.html).to.contain('Импорт не удался.').and.to.contain('Из этого файла ничего не сохранено.');
    expect(end.html).to.contain('Импорт прервался: серверный процесс, который его выполнял, остановился');
    expect(end.html).to.contain('href="/clients/import"');
    if (USING_POSTGRES) expect(Date.now() - killedAt).to.be.at.least(STALE_SECONDS * 1000 - 500);
    const row = await ClientImport.findByPk(id);
    expect(row).to.deep.include({ status: 'failed', problemKey: IMPORT_INTERRUPTED, filePath: null });
    expect(await clientsOf(owner)).to.equal(0);
    expect(existsSync(file)).to.equal(false);

    const again = await upload(here, csvOf(unique('again'), 10));
    expect((await watch(here, again)).at(-1)?.status).to.equal('done');
    expect(await clientsOf(owner)).to.equal(10);
  });

  it('when the importing process is stopped (SIGTERM) half-way, then it fails the import at once as interrupted, nothing kept', async () => {
    const owner = await makeUser();
    const [there, here] = await Promise.all([signedIn((serve as Serve).base, owner), signedIn(site.app, owner)]);
    const url = await upload(there, csvOf(unique('stopped'), 300_000));
    const id = idOf(url);
    await rowWhen(id, (row) => (USING_POSTGRES ? row.totalRows >= IMPORT_INSERT_ROWS : row.status === 'running'));
    (serve as Serve).child.kill('SIGTERM');
    expect(await exitCodeOf((serve as Serve).child), (serve as Serve).output()).to.equal(0);
    // Marked by the stopping process itself: no heartbeat had to go stale.
    const row = await ClientImport.findByPk(id);
    expect(row).to.deep.include({ status: 'failed', problemKey: IMPORT_INTERRUPTED, filePath: null });
    expect((await look(here, url)).html).to.contain('The import was interrupted');
    expect(await clientsOf(owner)).to.equal(0);
  });
});
