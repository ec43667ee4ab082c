// The report's per-run, per-quarter-hour counts (run_slot_counts) are kept by triggers in every statement that
// writes a delivery. Whatever the writes and whichever connection makes them, the counts summed over their
// shards must equal a count of the log; and on PostgreSQL two connections never wait on one counts row.
import { expect } from 'chai';
import type { Sequelize } from 'sequelize';
import { connect } from '../../../src/db/connection.js';
import { Delivery, MailingRun } from '../../../src/db/models/index.js';
import { sqlTimestamp } from '../../../src/delivery/sql.js';
import { makeMailing, makeUser } from '../../support/factories.js';
import { USING_POSTGRES } from '../../support/database.js';
import { testConfig, testDatabase } from '../../support/hooks.js';

const STATUSES = ['pending', 'sending', 'sent', 'failed', 'unknown'] as const;

/** A run of `count` pending deliveries; returns the run's and the deliveries' ids. */
async function runWithDeliveries(count: number): Promise<{ runId: number; ids: number[] }> {
  const owner = await makeUser();
  const mailing = await makeMailing(owner);
  const run = await MailingRun.create({ mailingId: mailing.id, scheduledAt: new Date() });
  const rows = Array.from({ length: count }, (_, i) => ({ runId: run.id, email: `c${i}@counts.test` }));
  const deliveries = await Delivery.bulkCreate(rows);
  return { runId: run.id, ids: deliveries.map((d) => d.id) };
}

/** Sets some deliveries' status and last attempt in one statement. */
async function write(sequelize: Sequelize, ids: number[], status: string, at: Date | null): Promise<void> {
  await sequelize.query('UPDATE deliveries SET status = :status, last_attempt_at = :at WHERE id IN (:ids)', {
    replacements: { status, at: at === null ? null : sqlTimestamp(sequelize, at), ids },
  });
}

type Tally = Record<string, number>;

/** What the counts hold for a run, summed over shards: "slot/status" → number, zeros left out. */
async function counted(sequelize: Sequelize, runId: number): Promise<Tally> {
  const [rows] = await sequelize.query(
    `SELECT slot, SUM(sent) AS sent, SUM(failed) AS failed, SUM(unknown) AS unknown, SUM(other) AS other
     FROM run_slot_counts WHERE run_id = :runId GROUP BY slot`,
    { replacements: { runId } },
  );
  const tally: Tally = {};
  for (const row of rows as Record<string, number | string>[])
    for (const status of ['sent', 'failed', 'unknown', 'other'])
      if (Number(row[status]) !== 0) tally[`${Number(row.slot)}/${status}`] = Number(row[status]);
  return tally;
}

/** The same tally counted from the log itself. */
async function logged(sequelize: Sequelize, runId: number): Promise<Tally> {
  const [rows] = await sequelize.query(
    'SELECT status, last_attempt_at FROM deliveries WHERE run_id = :runId AND last_attempt_at IS NOT NULL',
    { replacements: { runId } },
  );
  const tally: Tally = {};
  for (const row of rows as { status: string; last_attempt_at: string | Date }[]) {
    const slot = Math.floor(new Date(row.last_attempt_at).getTime() / 900_000);
    const status = ['sent', 'failed', 'unknown'].includes(row.status) ? row.status : 'other';
    const key = `${slot}/${status}`;
    tally[key] = (tally[key] ?? 0) + 1;
  }
  return tally;
}

/** A small deterministic pseudo-random sequence, so a failing mix can be replayed. */
function sequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('run counts kept beside the log', () => {
  let second: Sequelize | undefined;

  before(async () => {
    second = await connect(testConfig().database);
  });

  after(async () => {
    await second?.close();
  });

  it('when deliveries change status and quarter-hour in many statements from two connections, then the counts equal a count of the log', async () => {
    const sequelize = testDatabase();
    const { runId, ids } = await runWithDeliveries(30);
    const random = sequence(17);
    const base = Date.UTC(2026, 11, 1, 9, 50);
    for (let step = 0; step < 120; step += 1) {
      const chosen = ids.filter(() => random() < 0.2);
      if (chosen.length === 0) continue;
      const status = STATUSES[Math.floor(random() * STATUSES.length)] ?? 'sent';
      const at = random() < 0.15 ? null : new Date(base + Math.floor(random() * 4) * 600_000);
      await write(random() < 0.5 || !second ? sequelize : second, chosen, status, at);
    }
    expect(await counted(sequelize, runId)).to.deep.equal(await logged(sequelize, runId));
  });

  it('when one connection holds an open write to a run, then another writing the same run and quarter-hour does not wait for it', async function () {
    const other = second;
    if (!USING_POSTGRES || !other) this.skip();
    const sequelize = testDatabase();
    const { runId, ids } = await runWithDeliveries(2);
    const at = new Date(Date.UTC(2026, 11, 1, 10, 1));
    const transaction = await sequelize.transaction();
    try {
      await sequelize.query("UPDATE deliveries SET status = 'sent', last_attempt_at = :at WHERE id = :id", {
        replacements: { at: sqlTimestamp(sequelize, at), id: ids[0] },
        transaction,
      });
      // With one counts row per run and quarter-hour this statement would wait for the open transaction.
      await other.transaction(async (otherTransaction) => {
        await other.query("SET LOCAL lock_timeout = '2s'", { transaction: otherTransaction });
        await other.query("UPDATE deliveries SET status = 'failed', last_attempt_at = :at WHERE id = :id", {
          replacements: { at: sqlTimestamp(sequelize, at), id: ids[1] },
          transaction: otherTransaction,
        });
      });
      await transaction.commit();
    } catch (error) {
      await transaction.rollback();
      throw error;
    }
    expect(await counted(sequelize, runId)).to.deep.equal(await logged(sequelize, runId));
  });
});
