// `send` and `daemon` load the delivery side only: none of the packages and project modules that only the site,
// the other commands or the forms need (issues 13 and 17: their code and sources cost `send` ~40 MB of RSS).
// The real bin/mailer runs with scripts/loaded-modules.mjs recording every module it loads.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { PROJECT_ROOT } from '../../../src/config.js';
import { exitCodeOf, runCli, startCli } from '../../support/cli.js';
import { USING_POSTGRES } from '../../support/database.js';
import { mailingWithClients, senderEnv } from '../../support/delivery.js';
import { scratchFolder } from '../../support/scratch.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';

const RECORDER = path.join(PROJECT_ROOT, 'scripts', 'loaded-modules.mjs');

/**
 * What a delivery process has no use for, each once loaded by `send`: the DNS check (mailauth and its undici and
 * joi), the bounce parser and listener, Express, Umzug with nothing to migrate, the password dictionary and hash,
 * the shared rate limiter, and (on SQLite) the event bridge's own pg client.
 */
const FOREIGN_PACKAGES = [
  'mailauth',
  'undici',
  'joi',
  'mailparser',
  'html-to-text',
  'smtp-server',
  'express',
  'umzug',
  'fxa-common-password-list',
  'bcryptjs',
  'rate-limiter-flexible',
  'read',
  'adminjs',
  'pug',
  ...(USING_POSTGRES ? [] : ['pg']),
];

/** The project's own modules a delivery process must not load: the site's, the accounts', the forms', the seeders'. */
const FOREIGN_PROJECT_MODULES = [
  'src/app.js',
  'src/web/middleware/',
  'src/web/forms.js',
  'src/accounts/password',
  'src/forms/',
  'src/domains/domains.service.js',
  'src/bounces/',
  'src/db/migrator.js',
  'seeders/',
];

/** The packages and the project files (relative to build/) the recorded process loaded. */
function loaded(file: string): { packages: Set<string>; project: string[] } {
  const paths = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  const packages = new Set(
    paths.flatMap((p) => {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p);
      return match ? [match[1] as string] : [];
    }),
  );
  const build = `${path.join(PROJECT_ROOT, 'build')}/`;
  const project = paths.filter((p) => p.startsWith(build)).map((p) => p.slice(build.length));
  return { packages, project };
}

/** Fails naming whatever of the foreign modules the process loaded; checks that the record itself is real. */
function expectDeliverySideOnly(file: string, also: string[] = []): void {
  const { packages, project } = loaded(file);
  expect([...packages], 'the record holds the delivery libraries').to.include.members(['nodemailer', 'sequelize']);
  expect(project, 'the record holds the delivery code').to.include('src/delivery/transports.js');
  expect([...FOREIGN_PACKAGES, ...also].filter((name) => packages.has(name))).to.deep.equal([]);
  expect(project.filter((p) => FOREIGN_PROJECT_MODULES.some((foreign) => p.startsWith(foreign)))).to.deep.equal([]);
}

describe('the module graph of send and daemon', function () {
  this.timeout(60_000);
  let smtp: SmtpTestServer;
  let record: string;

  before(async () => {
    smtp = await SmtpTestServer.start();
  });
  after(async () => {
    await smtp.stop();
  });
  beforeEach(() => {
    record = path.join(scratchFolder('loaded-modules'), 'modules.txt');
  });

  function recording(): Record<string, string> {
    return senderEnv(smtp.url, { NODE_OPTIONS: `--import=${RECORDER}`, LOADED_MODULES_FILE: record });
  }

  it('when send delivers a mailing, then it loads none of the site, form, account, DNS-check or migrator modules', async () => {
    const { mailing } = await mailingWithClients(3);
    const sent = await runCli(['send', '--mailing', String(mailing.id)], recording());
    expect(sent.code, sent.stderr).to.equal(0);
    expect(sent.stdout).to.match(/finished; 3 recipients, 3 sent/);
    expectDeliverySideOnly(record, ['node-schedule']);
  });

  it('when the daemon starts and stops, then it loads none of them either', async () => {
    const daemon = await startCli(['daemon'], recording(), /Mailer daemon is running\n/);
    daemon.child.kill('SIGTERM');
    expect(await exitCodeOf(daemon.child)).to.equal(0);
    expectDeliverySideOnly(record);
  });
});
