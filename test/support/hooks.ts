// Root hooks: every test run gets its own freshly migrated database, dropped at the end, and a fresh JavaScript
// build for the `bin/mailer` processes tests start (built once here, so processes started together never race to).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { ADMIN_BUNDLE_DIR } from '../../admin/bundle-dir.js';
import { loadConfig, PROJECT_ROOT, type Config } from '../../src/config.js';
import { openDatabase } from '../../src/db/connection.js';
import { migrateUp } from '../../src/db/migrator.js';
import { createScratchDatabase, type ScratchDatabase } from './database.js';

process.env.LOG_LEVEL ??= 'silent';

let scratch: ScratchDatabase | undefined;
let sequelize: Sequelize | undefined;
let config: Config | undefined;
const scratchFolders: string[] = [];

/** A new empty folder in the system temp folder (outboxes, uploads), removed when the run ends. */
export function scratchFolder(purpose: string): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), `mailer-${purpose}-`));
  scratchFolders.push(folder);
  return folder;
}

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
    config = loadConfig({ ...process.env, NODE_ENV: 'test', DATABASE_URL: scratch.url, SCHEDULER: 'off' });
    sequelize = await openDatabase(config.database);
    await migrateUp(sequelize);
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await sequelize?.close();
    await scratch?.drop();
    for (const folder of scratchFolders.splice(0)) rmSync(folder, { recursive: true, force: true });
  },
};
