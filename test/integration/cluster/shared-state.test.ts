// Two real `bin/mailer serve` processes on one PostgreSQL database and one Memcached, each with an upload folder of
// its own (as on two machines): what one process counts or stores, the other sees. PostgreSQL + Memcached only.
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { exitCodeOf, startCli } from '../../support/cli.js';
import { createScratchDatabase, USING_POSTGRES, type ScratchDatabase } from '../../support/database.js';
import { scratchFolder } from '../../support/hooks.js';
import { uniquePng } from '../../support/images.js';
import { csrfTokenIn } from '../../support/web.js';

const DEMO_PASSWORD = 'mailer-demo-2026';

interface WebProcess {
  child: ChildProcessWithoutNullStreams;
  origin: string;
  uploadDir: string;
}

/** The `name=value` pairs of a response's Set-Cookie headers, as a Cookie header. */
function cookiesOf(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
}

/** Posts the site's login form at one process, as a browser would (its page first, for the session and token). */
async function logIn(web: WebProcess, email: string, password: string): Promise<number> {
  const page = await fetch(`${web.origin}/login`);
  const body = new URLSearchParams({ _csrf: csrfTokenIn(await page.text()), email, password });
  const res = await fetch(`${web.origin}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Cookie: cookiesOf(page), 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
  return res.status;
}

/** Signs in to the back office at one process; its session cookie. */
async function backOfficeCookie(web: WebProcess): Promise<string> {
  const res = await fetch(`${web.origin}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: web.origin, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'admin@example.com', password: DEMO_PASSWORD }),
  });
  expect(res.status, 'the demo admin signs in').to.equal(302);
  return cookiesOf(res);
}

describe('two web processes on one database', function () {
  this.timeout(240_000);
  let scratch: ScratchDatabase | undefined;
  const web: WebProcess[] = [];

  async function startWeb(name: string): Promise<WebProcess> {
    if (!scratch) throw new Error('no scratch database');
    const uploadDir = scratchFolder(`cluster-uploads-${name}`);
    const started = await startCli(
      ['serve'],
      {
        DATABASE_URL: scratch.url,
        MEMCACHED_SERVERS: process.env.MEMCACHED_SERVERS ?? '',
        NODE_ENV: 'test',
        PORT: '0',
        SCHEDULER: 'off',
        UPLOAD_DIR: uploadDir,
        OUTBOX_DIR: scratchFolder(`cluster-outbox-${name}`),
      },
      /open http:\/\/localhost:(\d+)\n/,
      120_000,
    );
    return { child: started.child, origin: `http://localhost:${started.match[1]}`, uploadDir };
  }

  before(async function () {
    if (!USING_POSTGRES || !process.env.MEMCACHED_SERVERS) return this.skip();
    scratch = await createScratchDatabase();
    // One after the other: the first migrates the database and loads the demo data, the second finds them.
    web.push(await startWeb('one'));
    web.push(await startWeb('two'));
  });

  after(async () => {
    await Promise.all(
      web.map((server) => {
        server.child.kill('SIGTERM');
        return exitCodeOf(server.child);
      }),
    );
    await scratch?.drop();
  });

  it('when an account’s logins fail at both processes in turn, then the limit trips at the same total at either', async () => {
    const [one, two] = web as [WebProcess, WebProcess];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const at = attempt % 2 === 0 ? one : two;
      expect(await logIn(at, 'demo@example.com', `wrong ${attempt}`), `attempt ${attempt + 1}`).to.equal(422);
    }
    expect(await logIn(two, 'demo@example.com', DEMO_PASSWORD), 'the sixth, at the other process').to.equal(429);
    expect(await logIn(one, 'demo@example.com', DEMO_PASSWORD)).to.equal(429);
    expect(await logIn(one, 'manager@example.com', DEMO_PASSWORD), 'another account is not limited').to.equal(303);
  });

  it('when an image is uploaded through one process, then the other serves it, though neither has it as a file', async () => {
    const [one, two] = web as [WebProcess, WebProcess];
    const cookie = await backOfficeCookie(one);
    const png = uniquePng();
    const form = new FormData();
    form.set('title', 'Uploaded through one process');
    form.set('content', 'The picture is served by any process.');
    form.set('image', new Blob([png], { type: 'image/png' }), 'picture.png');
    const created = await fetch(`${one.origin}/admin/api/resources/posts/actions/new`, {
      method: 'POST',
      headers: { Cookie: cookie, Origin: one.origin },
      body: form,
    });
    expect(created.status).to.equal(200);
    const record = ((await created.json()) as { record?: { params: { imagePath?: string } } }).record;
    const imagePath = record?.params.imagePath ?? '';
    expect(imagePath).to.match(/^\/images\/[0-9a-f]{64}\.png$/);

    const served = await fetch(`${two.origin}${imagePath}`);
    expect(served.status).to.equal(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).to.equal(true);
    expect(served.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    const etag = served.headers.get('etag') ?? '';
    expect(etag).to.equal(`"${imagePath.slice('/images/'.length, -'.png'.length)}"`);
    // As a browser revalidates (fetch would otherwise add `Cache-Control: no-cache`, which asks for the bytes).
    const revalidated = await fetch(`${one.origin}${imagePath}`, {
      headers: { 'If-None-Match': etag, 'Cache-Control': 'max-age=0' },
    });
    expect(revalidated.status).to.equal(304);
    for (const { uploadDir } of web) expect(readdirSync(uploadDir)).not.to.include('posts');
  });
});
