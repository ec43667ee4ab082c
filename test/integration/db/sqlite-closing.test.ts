import { expect } from 'chai';
import type sqlite3 from 'sqlite3';
import { parseDatabaseUrl } from '../../../src/config.js';
import { connect } from '../../../src/db/connection.js';
import { runDirect } from '../../../src/delivery/sql.js';
import { createScratchDatabase, USING_POSTGRES, type ScratchDatabase } from '../../support/database.js';

const LONG_READ = `WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1000000)
  SELECT count(*) AS n FROM c`;

/** Runs `work` and collects what the process reports as uncaught meanwhile (the driver's unheard 'error's). */
async function uncaughtDuring(work: () => Promise<void>): Promise<string[]> {
  const caught: string[] = [];
  const listeners = process.listeners('uncaughtException');
  process.removeAllListeners('uncaughtException');
  const catcher = (error: Error): void => void caught.push(error.message);
  process.on('uncaughtException', catcher);
  try {
    await work();
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    process.off('uncaughtException', catcher);
    for (const listener of listeners) process.on('uncaughtException', listener);
  }
  return caught;
}

function answer(run: (done: (err: Error | null) => void) => void): Promise<string> {
  return new Promise((resolve) => run((err) => resolve(err ? err.message : 'ok')));
}

describe('an SQLite connection being closed', function () {
  let scratch: ScratchDatabase;
  before(function () {
    if (USING_POSTGRES) this.skip();
  });
  beforeEach(async () => {
    scratch = await createScratchDatabase();
  });
  afterEach(async () => {
    await scratch?.drop();
  });

  it('when statements come after the closing began, with or without a callback, then none reaches the handle and nothing is thrown', async () => {
    const sequelize = await connect(parseDatabaseUrl(scratch.url));
    const writer = (await sequelize.connectionManager.getConnection({ type: 'write' })) as sqlite3.Database;
    const answers: string[] = [];
    const caught = await uncaughtDuring(async () => {
      const long = answer((done) => writer.all(LONG_READ, done));
      // What Sequelize and the engine do at shutdown: a fire-and-forget PRAGMA, a statement prepared for later,
      // and a second close of a transaction's connection.
      const direct = runDirect(sequelize, () => 'SELECT 2 AS two').then(
        () => 'ok',
        (error: Error) => error.message,
      );
      const closing = sequelize.close().then(
        () => 'closed',
        (error: Error) => error.message,
      );
      writer.run('PRAGMA foreign_keys = ON');
      writer.exec('PRAGMA synchronous = NORMAL');
      writer.prepare('SELECT 3');
      const late = answer((done) => writer.get('SELECT 4', done));
      answers.push(await long, await direct, await closing, await late);
      writer.run('PRAGMA foreign_keys = ON');
      writer.close();
      answers.push(await answer((done) => writer.close(done)));
    });
    expect(caught).to.deep.equal([]);
    // The engine's statement issued before the close is answered (its rows, or an error once it was finalized).
    expect(answers[1]).to.match(/^(ok|SQLITE_MISUSE: Statement is already finalized)$/);
    expect([answers[0], ...answers.slice(2)]).to.deep.equal([
      'ok',
      'closed',
      'SQLITE_MISUSE: Database handle is closed',
      'ok',
    ]);
  });
});
