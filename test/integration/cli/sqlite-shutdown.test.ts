import { expect } from 'chai';
import { exitCodeOf, startCli } from '../../support/cli.js';
import { createScratchDatabase, USING_POSTGRES, type ScratchDatabase } from '../../support/database.js';
import { scratchFolder } from '../../support/hooks.js';

/** Requests that keep every kind of SQLite connection busy: readers (pages), the writer (sessions) and transactions. */
function burst(port: number, count: number): Promise<string[]> {
  const paths = ['/login', '/register', '/healthz', '/readyz', '/login?lang=ru'];
  return Promise.all(
    Array.from({ length: count }, (_, index) =>
      fetch(`http://localhost:${port}${paths[index % paths.length] ?? '/'}`).then(
        (res) => res.text().then(() => String(res.status)),
        () => 'refused',
      ),
    ),
  );
}

describe('serve on SQLite stopping on SIGTERM with statements in flight', function () {
  this.timeout(120_000);
  let scratch: ScratchDatabase;
  before(function () {
    // The reader connections and the driver's closing are SQLite's; PostgreSQL's pool closes otherwise.
    if (USING_POSTGRES) this.skip();
  });
  beforeEach(async () => {
    scratch = await createScratchDatabase();
  });
  afterEach(async () => {
    await scratch?.drop();
  });

  it('when it is stopped in the middle of a burst, then it exits 0 without a SQLITE_MISUSE, every time', async () => {
    for (let round = 0; round < 4; round += 1) {
      const server = await startCli(
        ['serve'],
        { DATABASE_URL: scratch.url, PORT: '0', SCHEDULER: 'off', OUTBOX_DIR: scratchFolder('sqlite-shutdown') },
        /open http:\/\/localhost:(\d+)\n/,
      );
      const port = Number(server.match[1]);
      let stderr = '';
      server.child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const inFlight = burst(port, 60);
      setTimeout(() => server.child.kill('SIGTERM'), 20 + round * 15);
      await inFlight;
      const code = await exitCodeOf(server.child);
      expect({ round, code, stderr: stderr.includes('SQLITE_MISUSE') ? stderr : '' }).to.deep.equal({
        round,
        code: 0,
        stderr: '',
      });
    }
  });
});
