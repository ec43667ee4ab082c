// Fresh databases for tests: a temp SQLite file, or a new PostgreSQL database when DATABASE_URL says so.
import path from 'node:path';
import pg from 'pg';
import { removeScratchFolder, scratchFolder } from './scratch.js';

/** The DATABASE_URL the suite was started with; it picks the dialect, never the database itself. */
export const BASE_DATABASE_URL = process.env.DATABASE_URL ?? '';
export const USING_POSTGRES = /^postgres(ql)?:\/\//.test(BASE_DATABASE_URL);

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

let counter = 0;

/** Creates an empty database of the suite's dialect and says how to remove it. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  counter += 1;
  if (!USING_POSTGRES) {
    // The file, its -wal and -shm in a scratch folder: removed by drop(), or when the run ends if drop() is never reached.
    const dir = scratchFolder('db');
    return {
      url: `sqlite:${path.join(dir, 'test.sqlite')}`,
      drop: () => Promise.resolve(removeScratchFolder(dir)),
    };
  }
  const name = `mailer_test_${Date.now().toString(36)}_${process.pid}_${counter}`;
  const admin = new URL(BASE_DATABASE_URL);
  await withPgClient(admin.href, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(admin.href);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: () => withPgClient(admin.href, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  };
}

async function withPgClient(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
