import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { Delivery, MailingRun } from '../../../src/db/models/index.js';
import { createRun } from '../../../src/delivery/runs.js';
import { mayFireNoTriggers } from '../../../src/delivery/snapshot.js';
import { suppressAddress } from '../../../src/delivery/suppressions.js';
import { USING_POSTGRES } from '../../support/database.js';
import { mailingWithClients } from '../../support/delivery.js';
import { expectForeignKeyViolation, rejectionOf } from '../../support/expect.js';
import { testDatabase } from '../../support/hooks.js';

let scheduled = Date.UTC(2027, 0, 1, 9);
/** A scheduled time no other run of these tests has. */
const nextTime = (): Date => new Date((scheduled += 60_000));

describe('a run snapshot', () => {
  it('when a run is created, then each recipient is logged once in client order, a suppressed one failed, and counted', async () => {
    const { owner, clients, mailing } = await mailingWithClients(5);
    await clients[1]?.update({ unsubscribedAt: new Date() });
    await suppressAddress(testDatabase(), {
      ownerId: owner.id,
      address: clients[3]?.email ?? '',
      reason: 'complaint',
      source: 'listener',
    });
    const sequelize = testDatabase();
    const run = await sequelize.transaction((t) => createRun(sequelize, mailing.id, nextTime(), new Date(), t));
    const deliveries = await Delivery.findAll({ where: { runId: run?.id }, order: [['id', 'ASC']] });
    const expected = [clients[0], clients[2], clients[3], clients[4]];
    expect(run?.totalCount).to.equal(4);
    expect(deliveries.map((d) => d.clientId)).to.deep.equal(expected.map((c) => c?.id));
    expect(deliveries.map((d) => [d.email, d.status, d.errorClass])).to.deep.equal(
      expected.map((c) => [c?.email, c === clients[3] ? 'failed' : 'pending', c === clients[3] ? 'suppressed' : null]),
    );
  });

  it('when the snapshot is written, then the rest of its transaction checks the run key and fires triggers again', async () => {
    const { mailing } = await mailingWithClients(3);
    const sequelize = testDatabase();
    const error = await rejectionOf(
      sequelize.transaction(async (transaction) => {
        const run = await createRun(sequelize, mailing.id, nextTime(), new Date(), transaction);
        expect(run?.totalCount).to.equal(3);
        if (USING_POSTGRES) {
          const [role] = await sequelize.query<{ role: string }>(
            "SELECT current_setting('session_replication_role') AS role",
            { type: QueryTypes.SELECT, transaction },
          );
          expect(role?.role).to.equal('origin');
        }
        await Delivery.create(
          { runId: (run?.id ?? 0) + 1_000_000, clientId: null, email: 'orphan@example.test', fullName: '' },
          { transaction },
        );
      }),
    );
    expectForeignKeyViolation(error, { name: 'deliveries_run_id_fkey', referencingTable: 'deliveries' });
  });

  it('when the run or its mailing is deleted, then no delivery of it is left', async () => {
    const sequelize = testDatabase();
    const { mailing } = await mailingWithClients(3);
    const first = await sequelize.transaction((t) => createRun(sequelize, mailing.id, nextTime(), new Date(), t));
    const second = await sequelize.transaction((t) => createRun(sequelize, mailing.id, nextTime(), new Date(), t));
    expect(await Delivery.count({ where: { runId: [first?.id ?? 0, second?.id ?? 0] } })).to.equal(6);
    await sequelize.query('DELETE FROM mailing_runs WHERE id = :id', { replacements: { id: first?.id } });
    expect(await Delivery.count({ where: { runId: first?.id } })).to.equal(0);
    await mailing.destroy();
    expect(await MailingRun.count({ where: { mailingId: mailing.id } })).to.equal(0);
    expect(await Delivery.count({ where: { runId: second?.id } })).to.equal(0);
  });

  it('on PostgreSQL, the triggers the snapshot does without are the run key check and the counts of attempted rows', async function () {
    if (!USING_POSTGRES) this.skip();
    const sequelize = testDatabase();
    // The suite's role is a superuser: the snapshot these tests create is the one without per-row triggers.
    expect(await sequelize.transaction((t) => mayFireNoTriggers(sequelize, t))).to.equal(true);
    // Bit 2 of tgtype is INSERT; a key's check trigger is internal and names its constraint.
    const rows = await sequelize.query<{ name: string; fires_when: string | null }>(
      `SELECT COALESCE(c.conname, t.tgname) AS name,
         CASE WHEN t.tgqual IS NULL THEN NULL ELSE pg_get_triggerdef(t.oid) END AS fires_when
       FROM pg_trigger t LEFT JOIN pg_constraint c ON c.oid = t.tgconstraint
       WHERE t.tgrelid = 'deliveries'::regclass AND (t.tgtype & 4) <> 0 ORDER BY 1`,
      { type: QueryTypes.SELECT },
    );
    expect(rows.map((row) => row.name)).to.deep.equal(['deliveries_count_insert', 'deliveries_run_id_fkey']);
    expect(rows[0]?.fires_when).to.contain('WHEN ((new.last_attempt_at IS NOT NULL))');
  });
});
