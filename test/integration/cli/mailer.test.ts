import { readdir, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { parseDatabaseUrl, PROJECT_ROOT } from '../../../src/config.js';
import { connect } from '../../../src/db/connection.js';
import { exitCodeOf, runCli, startCli } from '../../support/cli.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/database.js';
import { scratchFolder } from '../../support/scratch.js';

async function countRows(url: string, table: string): Promise<number> {
  const sequelize = await connect(parseDatabaseUrl(url));
  try {
    const [rows] = await sequelize.query(`SELECT COUNT(*) AS n FROM ${table}`);
    return Number((rows as { n: number | string }[])[0]?.n);
  } finally {
    await sequelize.close();
  }
}

describe('bin/mailer', function () {
  this.timeout(60_000);
  let scratch: ScratchDatabase;
  let env: Record<string, string>;

  beforeEach(async () => {
    scratch = await createScratchDatabase();
    env = { DATABASE_URL: scratch.url };
  });
  afterEach(async () => {
    await scratch.drop();
  });

  it('when asked for --help, then it lists every command and exits 0', async () => {
    const { code, stdout } = await runCli(['--help'], env);
    expect(code).to.equal(0);
    for (const command of ['serve', 'migrate', 'seed', 'createsuperuser', 'daemon', 'send', 'runs'])
      expect(stdout).to.contain(command);
    for (const command of ['send', 'daemon', 'runs']) {
      const help = await runCli([command, '--help'], env);
      expect(help.code, command).to.equal(0);
      expect(help.stdout).to.contain(`Usage: mailer ${command}`);
    }
  });

  it('when a source file is newer than the JavaScript build, then the next command rebuilds it first', async () => {
    const stamp = path.join(PROJECT_ROOT, 'build', '.built');
    await utimes(stamp, new Date(0), new Date(0)); // as if every source had changed since the build
    const { code } = await runCli(['--help'], env);
    expect(code).to.equal(0);
    expect((await stat(stamp)).mtimeMs).to.be.above(Date.now() - 30_000);
    // Fresh now: the next command runs the build as it is.
    const before = (await stat(stamp)).mtimeMs;
    expect((await runCli(['--help'], env)).code).to.equal(0);
    expect((await stat(stamp)).mtimeMs).to.equal(before);
  });

  it('when a command is unknown, then it exits 2 with a hint', async () => {
    const { code, stderr } = await runCli(['frobnicate'], env);
    expect(code).to.equal(2);
    expect(stderr).to.contain("unknown command 'frobnicate'");
  });

  it('when DATABASE_URL is nonsense, then it exits 1 with one line naming DATABASE_URL', async () => {
    const { code, stderr } = await runCli(['migrate'], { DATABASE_URL: 'nonsense' });
    expect(code).to.equal(1);
    expect(stderr.trim().split('\n')).to.have.length(1);
    expect(stderr).to.match(/^mailer: invalid configuration: DATABASE_URL /);
  });

  it('when the database cannot be reached, then it exits 1 with one line saying so', async () => {
    const unreachable = scratch.url.startsWith('sqlite:')
      ? 'sqlite:/dev/null/mailer.sqlite'
      : 'postgres://postgres@127.0.0.1:1/none';
    const { code, stderr } = await runCli(['migrate'], { DATABASE_URL: unreachable });
    expect(code).to.equal(1);
    expect(stderr.trim().split('\n')).to.have.length(1);
    expect(stderr).to.contain('cannot connect to the database in DATABASE_URL');
  });

  it('when migrate runs on an empty database, then it applies the migrations, and a second run has nothing to do', async () => {
    const first = await runCli(['migrate'], env);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.match(/^applied /);
    const second = await runCli(['migrate'], env);
    expect(second.code).to.equal(0);
    expect(second.stdout).to.contain('database is up to date');
    const status = await runCli(['migrate', '--status'], env);
    expect(status.stdout).to.match(/^applied {2}\d+-/);
  });

  it('when seed runs twice, then the second run adds nothing and both print the demo logins', async () => {
    const first = await runCli(['seed'], env);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.contain('demo data loaded').and.to.contain('demo@example.com');
    const users = await countRows(scratch.url, 'users');
    const second = await runCli(['seed'], env);
    expect(second.code).to.equal(0);
    expect(second.stdout).to.contain('demo data already present');
    expect(await countRows(scratch.url, 'users')).to.equal(users);
  });

  it('when seed runs in production, then it refuses and exits 1', async () => {
    const { code, stderr } = await runCli(['seed'], {
      ...env,
      NODE_ENV: 'production',
      SESSION_SECRET: 's'.repeat(40),
      DKIM_KEY_SECRET: 'k'.repeat(40),
    });
    expect(code).to.equal(1);
    expect(stderr).to.contain('refusing to load demo data');
  });

  it('when createsuperuser gets a password from the environment, then it creates an admin once and refuses a second time', async () => {
    const withPassword = { ...env, SUPERUSER_PASSWORD: 'a-long-enough-password' };
    const first = await runCli(['createsuperuser', '--email', 'Root@Example.com'], withPassword);
    expect(first.code, first.stderr).to.equal(0);
    expect(first.stdout).to.contain('admin root@example.com created');
    const again = await runCli(['createsuperuser', '--email', 'root@example.com'], withPassword);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.contain('already exists');
  });

  it('when createsuperuser has no password and no terminal, or a bad e-mail, then it exits 1 and creates nothing', async () => {
    const noPassword = await runCli(['createsuperuser', '--email', 'root@example.com'], env);
    expect(noPassword.code).to.equal(1);
    expect(noPassword.stderr).to.contain('SUPERUSER_PASSWORD');
    const badEmail = await runCli(['createsuperuser', '--email', 'not-an-email'], {
      ...env,
      SUPERUSER_PASSWORD: 'a-long-enough-password',
    });
    expect(badEmail.code).to.equal(1);
    expect(badEmail.stderr).to.contain('not an e-mail address');
    const missingOption = await runCli(['createsuperuser'], env);
    expect(missingOption.code).to.equal(2);
    expect(await countRows(scratch.url, 'users')).to.equal(0);
  });

  it('when serve starts on an empty database, then it migrates, seeds once, answers /healthz and stops cleanly on SIGTERM', async () => {
    const server = await startCli(['serve'], { ...env, PORT: '0' }, /open http:\/\/localhost:(\d+)\n/);
    expect(server.output()).to.contain('Demo logins');
    const res = await fetch(`http://localhost:${server.match[1]}/healthz`);
    expect(res.status).to.equal(200);
    server.child.kill('SIGTERM');
    expect(await exitCodeOf(server.child)).to.equal(0);

    const restarted = await startCli(['serve'], { ...env, PORT: '0' }, /open http:\/\/localhost:(\d+)\n/);
    expect(restarted.output()).not.to.contain('Demo logins');
    restarted.child.kill('SIGTERM');
    expect(await exitCodeOf(restarted.child)).to.equal(0);
  });

  it('when send runs a seeded mailing through the outbox, then it exits 0 with a summary and runs lists the run', async () => {
    const outbox = scratchFolder('cli-outbox');
    const withOutbox = { ...env, OUTBOX_DIR: outbox };
    expect((await runCli(['seed'], withOutbox)).code).to.equal(0);
    const sent = await runCli(['send', '--mailing', '1'], withOutbox);
    expect(sent.code, sent.stderr).to.equal(0);
    const runId = /run #(\d+): finished; 10 recipients, 10 sent, 0 failed, 0 unknown, 0 pending/.exec(sent.stdout)?.[1];
    expect(runId, sent.stdout).to.be.a('string');
    expect((await readdir(outbox)).filter((f) => f.endsWith('.eml'))).to.have.length(10);
    const runs = await runCli(['runs', '--mailing', '1'], withOutbox);
    expect(runs.code).to.equal(0);
    expect(runs.stdout).to.match(
      new RegExp(`^${runId}\\t#1 Spring catalogue.*\\tfinished\\t10\\t10\\t0\\t0\\t0$`, 'm'),
    );
  });

  it('when send is given no mailing, an unknown mailing, or both options, then it exits non-zero with the reason', async () => {
    const none = await runCli(['send'], env);
    expect(none.code).to.equal(1);
    expect(none.stderr).to.contain('say either --mailing ID or --due');
    const unknown = await runCli(['send', '--mailing', '999'], env);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.contain('no mailing #999');
    const bad = await runCli(['send', '--mailing', 'abc'], env);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.contain('"abc" is not a mailing id');
  });

  it('when send --due finds nothing due, then it says so and exits 0', async () => {
    const { code, stdout } = await runCli(['send', '--due'], env);
    expect(code).to.equal(0);
    expect(stdout).to.contain('0 mailing(s) due, 0 run(s) to work on');
  });

  it('when the daemon gets SIGTERM, then it exits 0', async () => {
    const daemon = await startCli(['daemon'], env, /Mailer daemon is running\n/);
    daemon.child.kill('SIGTERM');
    expect(await exitCodeOf(daemon.child)).to.equal(0);
  });
});
