import { expect } from 'chai';
import { QueryTypes, UniqueConstraintError, ForeignKeyConstraintError, ValidationError } from 'sequelize';
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
import { rejectionOf } from '../../support/expect.js';
import { testDatabase } from '../../support/hooks.js';

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
      expect(await rejectionOf(User.create({ email, passwordHash: 'x', timeZone: 'UTC' }))).to.be.instanceOf(
        ValidationError,
      );
      expect(await rejectionOf(Client.create({ ownerId: owner.id, email }))).to.be.instanceOf(ValidationError);
    }
  });

  describe('users', () => {
    it('when two users register the same e-mail in different case, then the second is rejected', async () => {
      const email = `${unique('Case')}@Example.test`;
      await makeUser({ email });
      const error = await rejectionOf(makeUser({ email: email.toUpperCase() }));
      expect(error).to.be.instanceOf(UniqueConstraintError);
    });

    it('when an e-mail is stored, then it is trimmed and lower-cased', async () => {
      const user = await makeUser({ email: `  ${unique('Mixed')}@EXAMPLE.test ` });
      expect(user.email).to.equal(user.email.trim().toLowerCase());
    });

    it('when a role is not one of the four, then validation rejects it', async () => {
      // @ts-expect-error testing a value outside the type on purpose
      const error = await rejectionOf(makeUser({ role: 'superhero' }));
      expect(error).to.be.instanceOf(ValidationError);
    });
  });

  describe('clients', () => {
    it('when one owner adds the same e-mail twice (any case), then the database rejects the second', async () => {
      const owner = await makeUser();
      const email = `${unique('dup')}@example.test`;
      await insertClientRaw(owner.id, email);
      const error = await rejectionOf(insertClientRaw(owner.id, email.toUpperCase()));
      expect(error).to.be.instanceOf(UniqueConstraintError);
    });

    it('when two owners add the same e-mail, then both are kept', async () => {
      const email = `${unique('shared')}@example.test`;
      const [a, b] = [await makeUser(), await makeUser()];
      await makeClient(a, { email });
      await makeClient(b, { email });
      expect(await Client.count({ where: { email } })).to.equal(2);
    });

    it('when a client is created without an owner, then the database refuses it', async () => {
      // @ts-expect-error creating a client without its owner on purpose
      const error = await rejectionOf(Client.create({ email: `${unique('orphan')}@example.test` }));
      expect(error).to.exist;
    });
  });

  describe('mailings', () => {
    it('when the end is not after the start, then validation rejects the mailing', async () => {
      const owner = await makeUser();
      const startAt = new Date();
      const error = await rejectionOf(makeMailing(owner, { startAt, endAt: startAt }));
      expect(error).to.be.instanceOf(ValidationError);
    });

    it('when a message is used by a mailing, then deleting the message is refused', async () => {
      const owner = await makeUser();
      const message = await makeMessage(owner);
      await makeMailing(owner, { message });
      const error = await rejectionOf(message.destroy());
      expect(error).to.be.instanceOf(ForeignKeyConstraintError);
      expect(await Message.findByPk(message.id)).to.exist;
    });

    it('when a run for the same mailing and time is created twice, then the second is rejected', async () => {
      const owner = await makeUser();
      const mailing = await makeMailing(owner);
      const at = new Date('2026-12-01T09:00:00Z');
      await makeRun(mailing, at);
      const error = await rejectionOf(makeRun(mailing, at));
      expect(error).to.be.instanceOf(UniqueConstraintError);
      expect(await MailingRun.count({ where: { mailingId: mailing.id } })).to.equal(1);
    });

    it('when a delivery for the same run and client is created twice, then the second is rejected', async () => {
      const owner = await makeUser();
      const client = await makeClient(owner);
      const run = await makeRun(await makeMailing(owner, { clients: [client] }));
      await makeDelivery(run, client);
      const error = await rejectionOf(makeDelivery(run, client));
      expect(error).to.be.instanceOf(UniqueConstraintError);
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
