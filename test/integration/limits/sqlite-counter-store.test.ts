// The SQLite store of the shared counters: a statement refused while another process holds the write lock past the
// busy timeout leaves nothing behind (the library's RateLimiterSQLite left a transaction open that kept the lock).
import { expect } from 'chai';
import type { Sequelize } from 'sequelize';
import { parseDatabaseUrl } from '../../../src/config.js';
import { connect } from '../../../src/db/connection.js';
import { execute } from '../../../src/delivery/sql.js';
import { SqliteCounterStore } from '../../../src/limits/sqlite-counter-store.js';
import { rejectionOf } from '../../support/expect.js';
import { makeUser, unique } from '../../support/factories.js';
import { testConfig, testDatabase } from '../../support/hooks.js';

describe('the SQLite store of shared counters', function () {
  this.timeout(30_000);
  let other: Sequelize | undefined;
  before(async function () {
    if (testConfig().database.dialect !== 'sqlite') return this.skip();
    other = await connect(parseDatabaseUrl(testConfig().database.url));
  });
  after(async () => {
    await other?.close();
  });

  it('when it counts, then penalties add up in the window, a get reads them and a delete forgets them', async () => {
    const store = new SqliteCounterStore(testDatabase(), 'rate_limits', {
      name: unique('t'),
      points: 3,
      durationSeconds: 60,
    });
    const key = unique('key');
    expect(await store.get(key)).to.equal(null);
    expect((await store.penalty(key)).consumedPoints).to.equal(1);
    const second = await store.penalty(key, 2);
    expect(second.consumedPoints).to.equal(3);
    expect(second.remainingPoints).to.equal(0);
    expect(second.msBeforeNext).to.be.greaterThan(0).and.at.most(60_000);
    expect((await store.get(key))?.consumedPoints).to.equal(3);
    expect(await store.delete(key)).to.equal(true);
    expect(await store.get(key)).to.equal(null);
  });

  it('when another process holds the write lock past the busy timeout, then the count fails alone and every later write works', async () => {
    const store = new SqliteCounterStore(testDatabase(), 'rate_limits', {
      name: unique('t'),
      points: 5,
      durationSeconds: 60,
    });
    const key = unique('key');
    const holder = other as Sequelize;
    await holder.transaction(async (transaction) => {
      await execute(
        holder,
        'INSERT INTO rate_limits (key, points, expire) VALUES (:key, 1, 0)',
        { key: unique('lock') },
        transaction,
      );
      expect(String(await rejectionOf(store.penalty(key)))).to.contain('SQLITE_BUSY');
    });
    expect((await store.penalty(key)).consumedPoints).to.equal(1);
    await makeUser(); // another writer on the suite's connection
    await execute(holder, 'DELETE FROM rate_limits WHERE expire = 0', {});
  });
});
