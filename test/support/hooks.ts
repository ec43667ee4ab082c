// Root hooks: every test run gets its own freshly migrated database, dropped at the end, and a fresh JavaScript
// build for the `bin/mailer` processes tests start (built once here, so processes started together never race to).
// At the end the run's scratch folders are removed, and the run fails if it left anything else named mailer-* in
// the system temp folder.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { ADMIN_BUNDLE_DIR } from '../../admin/bundle-dir.js';
import { loadConfig, PROJECT_ROOT, type Config } from '../../src/config.js';
import { openDatabase } from '../../src/db/connection.js';
import { migrateUp } from '../../src/db/migrations.js';
import { createScratchDatabase, type ScratchDatabase } from './database.js';
import { leftInTemp, removeScratchFolders, scratchFolder } from './scratch.js';

export { scratchFolder } from './scratch.js';

process.env.LOG_LEVEL ??= 'silent';

let scratch: ScratchDatabase | undefined;
let sequelize: Sequelize | undefined;
let config: Config | undefined;

/** The migrated connection shared by the suite (each test still creates its own rows). */
export function testDatabase(): Sequelize {
  if (!sequelize) throw new Error('the test database is not open (root hooks did not run)');
  return sequelize;
}

/** The config the suite runs with, pointing at the test database. */
export function testConfig(): Config {
  if (!config) throw new Error('the test config is not ready (root hooks did not run)');
  return config;
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'build.mjs')], { stdio: 'inherit' });
    // AdminJS serves its components bundle from this folder as long as it exists, outside development too:
    // a bundle left from older sources would be served, so the run builds its own.
    rmSync(path.join(ADMIN_BUNDLE_DIR, 'bundle.js'), { force: true });
    scratch = await createScratchDatabase();
    config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: scratch.url,
      SCHEDULER: 'off',
      // Never the defaults under the project (var/outbox, var/uploads): what a test writes is gone after the run.
      OUTBOX_DIR: scratchFolder('outbox'),
      UPLOAD_DIR: scratchFolder('uploads'),
      // Failed logins are counted in the database, and every request of the suite comes from one IP address: only
      // the per-account limit applies (the tests of the limits give their own).
      LOGIN_FAILURES_PER_IP: '1000000',
    });
    sequelize = await openDatabase(config.database);
    await migrateUp(sequelize);
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    try {
      await sequelize?.close();
      await scratch?.drop();
    } finally {
      removeScratchFolders();
    }
    // The guard: anything a test made in the temp folder outside scratchFolder(), and did not remove, fails the run.
    const left = leftInTemp();
    if (left.length > 0) {
      process.exitCode = 1;
      const list = left.map((name) => `  ${path.join(os.tmpdir(), name)}`).join('\n');
      throw new Error(
        `the test run left ${left.length} mailer-* entries in the temp folder; make them with scratchFolder() ` +
          `(test/support/scratch.ts), which removes them:\n${list}`,
      );
    }
  },
};
