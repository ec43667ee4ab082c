import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { Client, Delivery, Mailing, MailingClient, MailingRun, Message, User } from '../../../src/db/models/index.js';
import {
  makeClient,
  makeDelivery,
  makeMailing,
  makeMessage,
  makeRun,
  makeUser,
  unique,
} from '../../support/factories.js';
import {
  expectForeignKeyViolation,
  expectNotNullViolation,
  expectUniqueViolation,
  expectValidationError,
  rejectionOf,
} from '../../support/expect.js';
import { testDatabase } from '../../support/hooks.js';

/** The unique indexes and the foreign key these tests run into, as migration 0001 creates them. */
const USERS_EMAIL = { name: 'users_email_unique', table: 'users', columns: ['lower(email)'] } as const;
const CLIENTS_OWNER_EMAIL = {
  name: 'clients_owner_email_unique',
  table: 'clients',
  columns: ['owner_id', 'lower(email)'],
} as const;
const RUNS_ONCE_PER_TIME = {
  name: 'mailing_runs_once_per_time',
  table: 'mailing_runs',
  columns: ['mailing_id', 'scheduled_at'],
} as const;
const DELIVERIES_ONCE_PER_CLIENT = {
  name: 'deliveries_once_per_client',
  table: 'deliveries',
  columns: ['run_id', 'client_id'],
} as const;
const MAILINGS_MESSAGE_KEY = { name: 'mailings_message_id_fkey', referencingTable: 'mailings' } as const;

/** Inserts a client with raw SQL, bypassing the model's lower-casing, to test the index itself. */
async function insertClientRaw(ownerId: number, email: string): Promise<void> {
  const now = new Date();
  await testDatabase().query(
    'INSERT INTO clients (owner_id, email, full_name, comment, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)',
    { replacements: [ownerId, email, 'Raw', '', now, now], type: QueryTypes.INSERT },
  );
}

describe('data model constraints', () => {
  it('when any writer stores an address with a quoted local part or a line break, then the model refuses it', async () => {
    const owner = await makeUser();
    for (const email of ['"</script><script>alert(1)</script>"@x.test', 'a@example.test\r\nBcc: b@example.test']) {
      expectValidationError(
        await rejectionOf(User.create({ email, passwordHash: 'x', timeZone: 'UTC' })),
        'email:storable',
      );
      expectValidationError(await rejectionOf(Client.create({ ownerId: owner.id, email })), 'email:storable');
    }
  });

  describe('users', () => {
    it('when two users register the same e-mail in different case, then the second is rejected', async () => {
      const email = `${unique('Case')}@Example.test`;
      await makeUser({ email });
      const error = await rejectionOf(makeUser({ email: email.toUpperCase() }));
      expectUniqueViolation(error, USERS_EMAIL);
    });

    it('when an e-mail is stored, then it is trimmed and lower-cased', async () => {
      const user = await makeUser({ email: `  ${unique('Mixed')}@EXAMPLE.test ` });
      expect(user.email).to.equal(user.email.trim().toLowerCase());
    });

    it('when a role is not one of the four, then validation rejects it', async () => {
      // @ts-expect-error testing a value outside the type on purpose
      const error = await rejectionOf(makeUser({ role: 'superhero' }));
      expectValidationError(error, 'role:isIn');
    });
  });

  describe('clients', () => {
    it('when one owner adds the same e-mail twice (any case), then the database rejects the second', async () => {
      const owner = await makeUser();
      const email = `${unique('dup')}@example.test`;
      await insertClientRaw(owner.id, email);
      const error = await rejectionOf(insertClientRaw(owner.id, email.toUpperCase()));
      expectUniqueViolation(error, CLIENTS_OWNER_EMAIL);
    });

    it('when two owners add the same e-mail, then both are kept', async () => {
      const email = `${unique('shared')}@example.test`;
      const [a, b] = [await makeUser(), await makeUser()];
      await makeClient(a, { email });
      await makeClient(b, { email });
      expect(await Client.count({ where: { email } })).to.equal(2);
    });

    it('when a client is created without an owner, then the model refuses it, and so does the database', async () => {
      // @ts-expect-error creating a client without its owner on purpose
      const error = await rejectionOf(Client.create({ email: `${unique('orphan')}@example.test` }));
      expectValidationError(error, 'ownerId:is_null');
      const now = new Date();
      const raw = testDatabase().query(
        'INSERT INTO clients (email, full_name, comment, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
        { replacements: [`${unique('orphan')}@example.test`, 'Raw', '', now, now], type: QueryTypes.INSERT },
      );
      expectNotNullViolation(await rejectionOf(raw), 'clients', 'owner_id');
    });
  });

  describe('mailings', () => {
    it('when the end is not after the start, then validation rejects the mailing', async () => {
      const owner = await makeUser();
      const startAt = new Date();
      const error = await rejectionOf(makeMailing(owner, { startAt, endAt: startAt }));
      expectValidationError(error, 'endsAfterItStarts:endsAfterItStarts');
    });

    it('when a message is used by a mailing, then deleting the message is refused', async () => {
      const owner = await makeUser();
      const message = await makeMessage(owner);
      await makeMailing(owner, { message });
      const error = await rejectionOf(message.destroy());
      expectForeignKeyViolation(error, MAILINGS_MESSAGE_KEY);
      expect(await Message.findByPk(message.id)).to.exist;
    });

    it('when a run for the same mailing and time is created twice, then the second is rejected', async () => {
      const owner = await makeUser();
      const mailing = await makeMailing(owner);
      const at = new Date('2026-12-01T09:00:00Z');
      await makeRun(mailing, at);
      const error = await rejectionOf(makeRun(mailing, at));
      expectUniqueViolation(error, RUNS_ONCE_PER_TIME);
      expect(await MailingRun.count({ where: { mailingId: mailing.id } })).to.equal(1);
    });

    it('when a delivery for the same run and client is created twice, then the second is rejected', async () => {
      const owner = await makeUser();
      const client = await makeClient(owner);
      const run = await makeRun(await makeMailing(owner, { clients: [client] }));
      await makeDelivery(run, client);
      const error = await rejectionOf(makeDelivery(run, client));
      expectUniqueViolation(error, DELIVERIES_ONCE_PER_CLIENT);
    });
  });

  describe('cascade rules', () => {
    it('when a user is deleted, then their clients, messages, mailings, runs and deliveries go with them', async () => {
      const owner = await makeUser();
      const bystander = await makeUser();
      const client = await makeClient(owner);
      const mailing = await makeMailing(owner, { clients: [client] });
      const run = await makeRun(mailing);
      const delivery = await makeDelivery(run, client);
      const othersClient = await makeClient(bystander);

      await owner.destroy();

      expect(await Client.findByPk(client.id)).to.equal(null);
      expect(await Message.findByPk(mailing.messageId)).to.equal(null);
      expect(await Mailing.findByPk(mailing.id)).to.equal(null);
      expect(await MailingClient.count({ where: { mailingId: mailing.id } })).to.equal(0);
      expect(await MailingRun.findByPk(run.id)).to.equal(null);
      expect(await Delivery.findByPk(delivery.id)).to.equal(null);
      expect(await Client.findByPk(othersClient.id)).to.exist;
    });

    it('when a client is deleted, then it leaves its mailings and the delivery log keeps its e-mail and id', async () => {
      const owner = await makeUser();
      const [kept, removed] = [await makeClient(owner), await makeClient(owner)];
      const mailing = await makeMailing(owner, { clients: [kept, removed] });
      const delivery = await makeDelivery(await makeRun(mailing), removed);

      await removed.destroy();

      expect((await mailing.getClients()).map((c) => c.id)).to.deep.equal([kept.id]);
      const log = await Delivery.findByPk(delivery.id);
      expect(log?.clientId).to.equal(removed.id); // a plain reference: nothing follows it to the deleted row
      expect(log?.email).to.equal(removed.email);
    });

    it('when the manager who blocked a user is deleted, then the block stays and only the reference is cleared', async () => {
      const manager = await makeUser({ role: 'manager' });
      const blocked = await makeUser();
      await blocked.update({ isBlocked: true, blockedAt: new Date(), blockedById: manager.id, blockedReason: 'spam' });

      await manager.destroy();

      const reloaded = await User.findByPk(blocked.id);
      expect(reloaded?.isBlocked).to.equal(true);
      expect(reloaded?.blockedById).to.equal(null);
    });
  });
});
