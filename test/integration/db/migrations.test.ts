import { expect } from 'chai';
import type { Sequelize } from 'sequelize';
import { parseDatabaseUrl } from '../../../src/config.js';
import { connect } from '../../../src/db/connection.js';
import { createMigrator } from '../../../src/db/migrator.js';
import { migrateUp } from '../../../src/db/migrations.js';
import { rowInserter } from '../../support/migration-database.js';
import { selectRows } from '../../../src/delivery/sql.js';
import { createScratchDatabase, type ScratchDatabase } from '../../support/database.js';
import { testDatabase } from '../../support/hooks.js';

const TABLES = [
  'addressed_emails',
  'client_counts',
  'client_imports',
  'clients',
  'deliveries',
  'destination_backoffs',
  'destination_slots',
  'home_stat_counts',
  'image_redirects',
  'images',
  'mail_form_limits',
  'mailing_clients',
  'mailing_runs',
  'mailings',
  'messages',
  'posts',
  'rate_limits',
  'run_slot_counts',
  'send_rate_slots',
  'sender_identities',
  'sending_domains',
  'sessions',
  'soft_bounces',
  'suppressions',
  'test_sends',
  'tokens',
  'users',
  'webhook_tokens',
];

async function tableNames(sequelize: Sequelize): Promise<string[]> {
  const names = (await sequelize.getQueryInterface().showAllTables()) as unknown[];
  // SQLite's trigram index of the clients' search (migration 0036) and its FTS5 shadow tables hold no data of their
  // own: an index, not a table of the schema.
  return names
    .map((n) => (typeof n === 'string' ? n : (n as { tableName: string }).tableName))
    .filter((n) => n !== 'schema_migrations' && !n.startsWith('clients_search'))
    .sort();
}

/** Inserts one row with plain SQL (the schema of the moment, not the models') and returns its id. */
/** A user (of the e-mail) with a message and a mailing of it, as plain rows. */
async function ownedMailing(insert: ReturnType<typeof rowInserter>, email: string, now: string) {
  const stamps = { created_at: now, updated_at: now };
  const owner = await insert('users', { email, password_hash: 'x', time_zone: 'UTC', ...stamps });
  const message = await insert('messages', { owner_id: owner, subject: 's', body_text: 't', ...stamps });
  const mailing = await insert('mailings', {
    owner_id: owner,
    message_id: message,
    name: 'm',
    start_at: now,
    end_at: now,
    periodicity: 'once',
    time_zone: 'UTC',
    ...stamps,
  });
  return { owner, mailing };
}

describe('migrations', () => {
  let scratch: ScratchDatabase;
  let sequelize: Sequelize;

  // The suite's own database was migrated by the root hooks; these tests use a second, empty one.
  before(async () => {
    scratch = await createScratchDatabase();
    sequelize = await connect(parseDatabaseUrl(scratch.url));
  });
  after(async () => {
    await sequelize.close();
    await scratch.drop();
  });

  it('when run on an empty database, then every table is created and the run is recorded', async () => {
    expect(await tableNames(sequelize)).to.deep.equal([]);
    const applied = await migrateUp(sequelize);
    expect(applied).to.have.length.greaterThan(0);
    expect(await tableNames(sequelize)).to.deep.equal(TABLES);
    expect((await createMigrator(sequelize).pending()).length).to.equal(0);
  });

  it('when run again, then nothing is applied', async () => {
    expect(await migrateUp(sequelize)).to.deep.equal([]);
  });

  it('when rolled all the way down and up again, then the schema comes back whole', async () => {
    await createMigrator(sequelize).down({ to: 0 });
    expect(await tableNames(sequelize)).to.deep.equal([]);
    await migrateUp(sequelize);
    expect(await tableNames(sequelize)).to.deep.equal(TABLES);
  });

  it('when the delivery log loses its client key, then its rows, ids and indexes survive, and down brings the key back', async () => {
    const migrator = createMigrator(sequelize);
    await migrator.down({ to: '20261127-0004-delivery-client-reference' });
    const now = new Date().toISOString();
    const insert = rowInserter(sequelize);
    const stamps = { created_at: now, updated_at: now };
    const { owner, mailing } = await ownedMailing(insert, 'm@example.org', now);
    const [kept, removed] = [
      await insert('clients', { owner_id: owner, email: 'kept@example.org', ...stamps }),
      await insert('clients', { owner_id: owner, email: 'gone@example.org', ...stamps }),
    ];
    const run = await insert('mailing_runs', { mailing_id: mailing, scheduled_at: now, ...stamps });
    const delivery = (client: number, email: string): Promise<number> =>
      insert('deliveries', { run_id: run, client_id: client, email, ...stamps });
    const ids = [await delivery(kept, 'kept@example.org'), await delivery(removed, 'gone@example.org')];
    const fails = (statement: Promise<unknown>): Promise<boolean> =>
      statement.then(
        () => false,
        () => true,
      );
    expect(await fails(delivery(kept, 'twice@example.org'))).to.equal(true); // (run, client) is unique

    const third = await insert('clients', { owner_id: owner, email: 'third@example.org', ...stamps });
    const deletedId = await delivery(third, 'third@example.org');
    await sequelize.query('DELETE FROM deliveries WHERE id = :deletedId', { replacements: { deletedId } });

    await migrator.up();
    await sequelize.query('DELETE FROM clients WHERE id = :removed', { replacements: { removed } });
    const log = async (): Promise<unknown[]> =>
      (await sequelize.query('SELECT id, client_id, email FROM deliveries ORDER BY id'))[0].map((row) => {
        const { id, client_id, email } = row as { id: number; client_id: number | null; email: string };
        return [Number(id), client_id === null ? null : Number(client_id), email];
      });
    // The deleted client's id stays in the log; nothing else refers to it.
    expect(await log()).to.deep.equal([
      [ids[0], kept, 'kept@example.org'],
      [ids[1], removed, 'gone@example.org'],
    ]);
    const next = await delivery(removed + 1000, 'new@example.org');
    expect(next).to.be.greaterThan(deletedId); // ids are never reused, not even a deleted row's
    expect(await fails(delivery(kept, 'twice@example.org'))).to.equal(true);

    // Down: the key comes back, clearing the reference to the deleted client as the key would have.
    await migrator.down({ to: '20261127-0004-delivery-client-reference' });
    expect((await log()).slice(0, 2)).to.deep.equal([
      [ids[0], kept, 'kept@example.org'],
      [ids[1], null, 'gone@example.org'],
    ]);
    await sequelize.query('DELETE FROM deliveries WHERE id = :next', { replacements: { next } });
    expect(await fails(delivery(removed + 2000, 'nobody@example.org'))).to.equal(true);
    await migrator.up();
  });

  it('when runs halted before 0010, then each known English reason gets its kind, any other keeps none', async () => {
    const migrator = createMigrator(sequelize);
    await migrator.down({ to: '20261215-0010-run-paused-kind' });
    const now = new Date().toISOString();
    const insert = rowInserter(sequelize);
    const { mailing } = await ownedMailing(insert, 'kinds@example.org', now);
    const reasons = [
      'SMTP unavailable: connect ECONNREFUSED 127.0.0.1:25',
      'Mailing disabled: spam',
      'Mailing disabled',
      'Mailing deleted',
      'Paused by user',
      'Cancelled by user',
      'Something else',
      null,
    ];
    for (const [i, reason] of reasons.entries()) {
      const scheduled = new Date(Date.UTC(2026, 0, i + 1)).toISOString();
      const run = { mailing_id: mailing, scheduled_at: scheduled, paused_reason: reason };
      await insert('mailing_runs', { ...run, created_at: now, updated_at: now });
    }

    await migrator.up();
    const kinds = await selectRows<{ paused_kind: string | null }>(
      sequelize,
      'SELECT paused_kind FROM mailing_runs WHERE mailing_id = :mailing ORDER BY scheduled_at',
      { mailing },
    );
    expect(kinds.map((row) => row.paused_kind)).to.deep.equal([
      'smtp_unavailable',
      'mailing_disabled',
      'mailing_disabled',
      'mailing_deleted',
      'paused_by_user',
      'cancelled_by_user',
      null,
      null,
    ]);
  });

  it("when runs existed before 0013, then each mailing's runs are numbered 1, 2, 3 in the order they were scheduled", async () => {
    const migrator = createMigrator(sequelize);
    await migrator.down({ to: '20261216-0013-run-numbers' });
    const now = new Date().toISOString();
    const insert = rowInserter(sequelize);
    const first = (await ownedMailing(insert, 'numbers-a@example.org', now)).mailing;
    const second = (await ownedMailing(insert, 'numbers-b@example.org', now)).mailing;
    // Created out of their scheduled order, and interleaved between the two mailings.
    const plan: [number, number][] = [
      [first, 3],
      [second, 2],
      [first, 1],
      [second, 1],
      [first, 2],
    ];
    const ids = new Map<string, number>();
    for (const [mailing, day] of plan) {
      const run = { mailing_id: mailing, scheduled_at: new Date(Date.UTC(2026, 0, day)).toISOString() };
      ids.set(`${mailing}:${day}`, await insert('mailing_runs', { ...run, created_at: now, updated_at: now }));
    }

    await migrator.up();
    const numbers = await selectRows<{ id: number; number: number }>(
      sequelize,
      'SELECT id, number FROM mailing_runs WHERE mailing_id IN (:first, :second)',
      { first, second },
    );
    const numberOf = new Map(numbers.map((row) => [Number(row.id), Number(row.number)]));
    const of = (mailing: number, day: number) => numberOf.get(ids.get(`${mailing}:${day}`) ?? 0);
    expect([of(first, 1), of(first, 2), of(first, 3), of(second, 1), of(second, 2)]).to.deep.equal([1, 2, 3, 1, 2]);
    const twice = insert('mailing_runs', {
      mailing_id: first,
      number: 2,
      scheduled_at: now,
      created_at: now,
      updated_at: now,
    });
    expect(
      await twice.then(
        () => 'inserted',
        () => 'refused',
      ),
    ).to.equal('refused');
  });

  it("when messages were written before 0011, then each gets its owner's language", async () => {
    const migrator = createMigrator(sequelize);
    await migrator.down({ to: '20261216-0011-message-language' });
    const now = new Date().toISOString();
    const insert = rowInserter(sequelize);
    const stamps = { created_at: now, updated_at: now };
    const russian = await insert('users', {
      email: 'ru@example.org',
      password_hash: 'x',
      time_zone: 'UTC',
      language: 'ru',
      ...stamps,
    });
    const english = await insert('users', { email: 'en@example.org', password_hash: 'x', time_zone: 'UTC', ...stamps });
    const message = (owner: number) => insert('messages', { owner_id: owner, subject: 's', body_text: 't', ...stamps });
    const ids = [await message(russian), await message(english)];

    await migrator.up();
    const languages = await selectRows<{ language: string }>(
      sequelize,
      'SELECT language FROM messages WHERE id IN (:ids) ORDER BY id',
      { ids },
    );
    expect(languages.map((row) => row.language)).to.deep.equal(['ru', 'en']);
  });

  it('when the suite database was migrated at start, then it has the same tables', async () => {
    expect(await tableNames(testDatabase())).to.deep.equal(TABLES);
  });
});
