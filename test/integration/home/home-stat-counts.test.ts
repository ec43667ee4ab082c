import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { deleteOwnAccount } from '../../../src/accounts/account-deletion.js';
import { Client, Mailing, MailingClient, User } from '../../../src/db/models/index.js';
import { computeHomeStats, countHomeStatsAfresh, type HomeStats } from '../../../src/home/home-stats.js';
import { testDatabase } from '../../support/hooks.js';
import { FACTORY_PASSWORD, makeClient, makeMailing, makeUser, unique } from '../../support/factories.js';

/** The kept statistics, after checking they equal the ones counted from the tables. */
async function exact(): Promise<HomeStats> {
  const kept = await computeHomeStats(testDatabase());
  expect(kept).to.deep.equal(await countHomeStatsAfresh(testDatabase()));
  return kept;
}

/** The kept statistics' change since `before`. */
async function changeSince(before: HomeStats): Promise<HomeStats> {
  const now = await exact();
  return {
    mailings: now.mailings - before.mailings,
    activeMailings: now.activeMailings - before.activeMailings,
    uniqueClients: now.uniqueClients - before.uniqueClients,
  };
}

const none = { mailings: 0, activeMailings: 0, uniqueClients: 0 };

describe('the kept home statistics (migration 0032 triggers)', () => {
  it('when clients are linked, unlinked, re-addressed and deleted, then unique e-mails follow exactly', async () => {
    const owner = await makeUser();
    const before = await exact();
    const [a, b] = [await makeClient(owner), await makeClient(owner)];
    const first = await makeMailing(owner, { clients: [a, b] });
    const second = await makeMailing(owner, { clients: [a] });
    expect(await changeSince(before)).to.deep.equal({ ...none, mailings: 2, uniqueClients: 2 });
    await first.setClients([b]);
    expect((await changeSince(before)).uniqueClients).to.equal(2);
    await second.setClients([]);
    expect((await changeSince(before)).uniqueClients).to.equal(1);
    await b.update({ email: `${unique('moved')}@example.test` });
    expect((await changeSince(before)).uniqueClients).to.equal(1);
    await b.destroy();
    expect(await changeSince(before)).to.deep.equal({ ...none, mailings: 2 });
    await Mailing.destroy({ where: { ownerId: owner.id } });
    expect(await changeSince(before)).to.deep.equal(none);
  });

  it('when a mailing is "all my clients", then every client of its owner counts until the last such mailing goes', async () => {
    const owner = await makeUser();
    const chosen = await makeClient(owner);
    await makeClient(owner);
    const before = await exact();
    const picked = await makeMailing(owner, { clients: [chosen] });
    const all = await makeMailing(owner);
    await all.update({ allClients: true });
    const again = await makeMailing(owner);
    await again.update({ allClients: true });
    expect((await changeSince(before)).uniqueClients).to.equal(2);
    await makeClient(owner);
    expect((await changeSince(before)).uniqueClients).to.equal(3);
    await all.destroy();
    expect((await changeSince(before)).uniqueClients).to.equal(3);
    await again.update({ allClients: false });
    expect((await changeSince(before)).uniqueClients).to.equal(1);
    await picked.destroy();
    expect(await changeSince(before)).to.deep.equal({ ...none, mailings: 1 });
  });

  it('when two owners have the same address in different case, then it counts once until both stop', async () => {
    const email = `${unique('Same')}@Example.test`;
    const [first, second] = [await makeUser(), await makeUser()];
    const before = await exact();
    const upper = await makeClient(first, { email: email.toUpperCase() });
    const lower = await makeClient(second, { email: email.toLowerCase() });
    const one = await makeMailing(first, { clients: [upper] });
    await makeMailing(second, { clients: [lower] });
    expect((await changeSince(before)).uniqueClients).to.equal(1);
    await one.destroy();
    expect((await changeSince(before)).uniqueClients).to.equal(1);
    await MailingClient.destroy({ where: { clientId: lower.id } });
    expect((await changeSince(before)).uniqueClients).to.equal(0);
  });

  it('when a mailing starts, is disabled and is deleted, then the active count follows', async () => {
    const mailing = await makeMailing(await makeUser());
    const before = await exact();
    await mailing.update({ status: 'running' });
    expect(await changeSince(before)).to.deep.equal({ ...none, activeMailings: 1 });
    await mailing.update({ isDisabled: true });
    expect(await changeSince(before)).to.deep.equal(none);
    await mailing.update({ isDisabled: false });
    await mailing.destroy();
    expect(await changeSince(before)).to.deep.equal({ ...none, mailings: -1 });
  });

  it('when an account is deleted, or its user row is deleted with everything cascading, then its numbers go', async () => {
    const before = await exact();
    for (const cascade of [false, true]) {
      const owner = await makeUser();
      const shared = await makeClient(owner);
      await makeClient(owner);
      const all = await makeMailing(owner, { clients: [shared] });
      await all.update({ allClients: true, status: 'running' });
      await makeMailing(owner, { clients: [shared] });
      expect((await changeSince(before)).uniqueClients).to.equal(2);
      if (cascade) await User.destroy({ where: { id: owner.id } });
      else await deleteOwnAccount(testDatabase(), owner, FACTORY_PASSWORD);
      expect(await changeSince(before)).to.deep.equal(none);
    }
  });

  it('when clients arrive by a multi-row insert (as the import writes), then an "all my clients" owner counts them', async () => {
    const owner = await makeUser();
    const all = await makeMailing(owner);
    await all.update({ allClients: true });
    const before = await exact();
    await Client.bulkCreate(
      [1, 2, 3].map((n) => ({
        ownerId: owner.id,
        email: `${unique(`bulk${n}`)}@example.test`,
        fullName: '',
        comment: '',
      })),
    );
    expect((await changeSince(before)).uniqueClients).to.equal(3);
    await Client.destroy({ where: { ownerId: owner.id } });
    expect((await changeSince(before)).uniqueClients).to.equal(0);
  });

  it('when the kept counts drift from the tables, then the check says so', async () => {
    await exact();
    const sequelize = testDatabase();
    await sequelize.query(
      'UPDATE home_stat_counts SET unique_clients = unique_clients + 1 WHERE shard = (SELECT MIN(shard) FROM home_stat_counts)',
      {
        type: QueryTypes.UPDATE,
      },
    );
    try {
      let failed = false;
      try {
        await exact();
      } catch {
        failed = true;
      }
      expect(failed).to.equal(true);
    } finally {
      await sequelize.query(
        'UPDATE home_stat_counts SET unique_clients = unique_clients - 1 WHERE shard = (SELECT MIN(shard) FROM home_stat_counts)',
        {
          type: QueryTypes.UPDATE,
        },
      );
    }
    await exact();
  });
});
