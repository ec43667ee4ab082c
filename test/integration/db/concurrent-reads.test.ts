import { expect } from 'chai';
import { isPlainSelect } from '../../../src/db/sqlite-readers.js';
import { testDatabase } from '../../support/hooks.js';

// A read that keeps the database busy for a while: counting a few million generated rows.
const LONG_READ = `SELECT count(*) AS n FROM (
  WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 3000000) SELECT i FROM c) AS counted`;

describe('reads beside a long read', () => {
  it('when a long read is running, then a short read outside it is answered first (it does not queue behind it)', async () => {
    const sequelize = testDatabase();
    const finished: string[] = [];
    const long = sequelize.query(LONG_READ).then(() => finished.push('long'));
    // Both start together; the short one must not wait for the long one's connection.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    await sequelize.query('SELECT 1 AS one').then(() => finished.push('short'));
    const shortMs = performance.now() - started;
    await long;
    expect(finished).to.deep.equal(['short', 'long']);
    expect(shortMs).to.be.below(500);
  });

  it('when a statement may write, then it is not a plain SELECT and stays on the writing connection', () => {
    expect(isPlainSelect('SELECT id FROM clients')).to.equal(true);
    expect(isPlainSelect('/* rows */ select id FROM clients')).to.equal(true);
    expect(isPlainSelect('/* rows */ UPDATE deliveries SET status = 1 RETURNING id')).to.equal(false);
    expect(isPlainSelect('WITH x AS (SELECT 1) UPDATE deliveries SET status = 1')).to.equal(false);
    expect(isPlainSelect('INSERT INTO t SELECT 1')).to.equal(false);
    expect(isPlainSelect('SELECTED')).to.equal(false);
  });
});
