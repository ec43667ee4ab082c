import http from 'node:http';
import { expect } from 'chai';
import { parseDatabaseUrl } from '../../../src/config.js';
import { connect } from '../../../src/db/connection.js';
import { exitCodeOf, startCli } from '../../support/cli.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/database.js';
import { scratchFolder } from '../../support/hooks.js';

interface Reply {
  status: number;
  error?: string;
}

/**
 * POSTs a form whose body arrives in two halves, `pauseMs` apart; `between` runs after the first half. Resolves
 * with the status, or the error a dropped connection gives.
 */
function trickledPost(
  port: number,
  path: string,
  body: string,
  cookie: string,
  between: () => void,
  pauseMs: number,
): Promise<Reply> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        port,
        path,
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
          Cookie: cookie,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
      },
    );
    req.on('error', (error) => resolve({ status: 0, error: error.message }));
    const half = Math.floor(body.length / 2);
    req.write(body.slice(0, half));
    setTimeout(() => {
      between();
      setTimeout(() => req.end(body.slice(half)), pauseMs);
    }, 200);
  });
}

async function registrationForm(port: number, email: string): Promise<{ body: string; cookie: string }> {
  const page = await fetch(`http://localhost:${port}/register`);
  const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const password = 'a long enough passphrase 9';
  const body = new URLSearchParams({ _csrf: csrf, email, password, passwordConfirmation: password, timeZone: 'UTC' });
  return { body: body.toString(), cookie };
}

describe('serve stopping on SIGTERM', function () {
  this.timeout(60_000);
  let scratch: ScratchDatabase;
  beforeEach(async () => {
    scratch = await createScratchDatabase();
  });
  afterEach(async () => {
    await scratch.drop();
  });

  it('when requests are in flight, then each is answered and its work kept, and the process exits 0', async () => {
    const server = await startCli(
      ['serve'],
      { DATABASE_URL: scratch.url, PORT: '0', SCHEDULER: 'off', OUTBOX_DIR: scratchFolder('shutdown-outbox') },
      /open http:\/\/localhost:(\d+)\n/,
    );
    const port = Number(server.match[1]);
    const emails = ['one@shutdown.test', 'two@shutdown.test', 'three@shutdown.test'];
    const forms = await Promise.all(emails.map((email) => registrationForm(port, email)));
    let signalled = false;
    const signalOnce = () => {
      if (!signalled) server.child.kill('SIGTERM');
      signalled = true;
    };
    const replies = await Promise.all(
      forms.map(({ body, cookie }) => trickledPost(port, '/register', body, cookie, signalOnce, 500)),
    );
    expect(replies).to.deep.equal(emails.map(() => ({ status: 303 })));
    expect(await exitCodeOf(server.child)).to.equal(0);
    const refused = await fetch(`http://localhost:${port}/healthz`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(refused).to.equal('refused');

    const sequelize = await connect(parseDatabaseUrl(scratch.url));
    try {
      const [rows] = await sequelize.query(`SELECT email FROM users WHERE email LIKE '%@shutdown.test' ORDER BY email`);
      expect((rows as { email: string }[]).map((r) => r.email)).to.deep.equal([...emails].sort());
    } finally {
      await sequelize.close();
    }
  });
});
