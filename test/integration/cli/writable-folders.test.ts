import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { exitCodeOf, runCli, startCli } from '../../support/cli.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/database.js';
import { scratchFolder } from '../../support/scratch.js';

/** What a production start needs besides the folders. */
const PRODUCTION = { NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), DKIM_KEY_SECRET: 'k'.repeat(40) };

describe('bin/mailer: the folders a command writes', function () {
  this.timeout(60_000);
  let scratch: ScratchDatabase;
  /** A path under a regular file: no process can create it, root included (as CI runs). */
  let unwritable: string;

  beforeEach(async () => {
    scratch = await createScratchDatabase();
    const file = path.join(scratchFolder('not-a-folder'), 'plain-file');
    await writeFile(file, '');
    unwritable = path.join(file, 'inside');
  });
  afterEach(async () => {
    await scratch.drop();
  });

  /** Asserts one line on stderr naming the variable, exit 1, and that nothing was created there. */
  function expectRefused(result: { code: number | null; stderr: string }, variable: string): void {
    expect(result.code, result.stderr).to.equal(1);
    expect(result.stderr.trim().split('\n')).to.have.length(1);
    expect(result.stderr).to.match(new RegExp(`^mailer: invalid configuration: ${variable} names ${unwritable}, `));
    expect(existsSync(unwritable)).to.equal(false);
  }

  it('when UPLOAD_DIR cannot be written, then serve stops at start with one line naming it', async () => {
    const result = await runCli(['serve'], { DATABASE_URL: scratch.url, PORT: '0', UPLOAD_DIR: unwritable });
    expectRefused(result, 'UPLOAD_DIR');
  });

  it('when the outbox cannot be written and there is no SMTP server, then serve, daemon and send stop at start naming OUTBOX_DIR', async () => {
    const env = { DATABASE_URL: scratch.url, PORT: '0', OUTBOX_DIR: unwritable, SMTP_URL: '' };
    for (const args of [['serve'], ['daemon'], ['send', '--due']]) expectRefused(await runCli(args, env), 'OUTBOX_DIR');
    // With an SMTP server the outbox is not written, so it is not asked for.
    const withSmtp = await runCli(['send', '--due'], { ...env, SMTP_URL: 'smtp://127.0.0.1:1' });
    expect(withSmtp.code, withSmtp.stderr).to.equal(0);
  });

  it('when ADMIN_JS_TMP_DIR cannot be written in production, then serve stops at start naming it', async () => {
    const result = await runCli(['serve'], {
      ...PRODUCTION,
      DATABASE_URL: scratch.url,
      PORT: '0',
      ADMIN_JS_TMP_DIR: unwritable,
    });
    expectRefused(result, 'ADMIN_JS_TMP_DIR');
  });

  it('when ADMIN_JS_TMP_DIR names a writable folder in production, then the back office bundle is written there and served', async () => {
    const bundleDir = scratchFolder('admin-bundle');
    const server = await startCli(
      ['serve'],
      { ...PRODUCTION, DATABASE_URL: scratch.url, PORT: '0', ADMIN_JS_TMP_DIR: bundleDir },
      /open http:\/\/localhost:(\d+)\n/,
    );
    try {
      // The back office waits for its bundle before it answers.
      const res = await fetch(`http://localhost:${server.match[1]}/admin/frontend/assets/components.bundle.js`);
      expect(res.status).to.equal(200);
      expect(await res.text()).to.contain('BackOfficeHome');
      expect(await readdir(bundleDir)).to.include.members(['entry.js', 'bundle.js']);
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await exitCodeOf(server.child)).to.equal(0);
  });
});
