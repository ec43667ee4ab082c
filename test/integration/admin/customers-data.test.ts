// Customers’ data and delivery in the back office: read by admins, changed only through the site’s rules.
import { expect } from 'chai';
import { Client, Mailing, MailingRun, Message } from '../../../src/db/models/index.js';
import { deliveryEvents } from '../../../src/delivery/events.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { makeClient, makeDelivery, makeMailing, makeRun, makeUser } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { API, backOffice, body } from './back-office.js';

describe('the back office at /admin', () => {
  const office = backOffice();
  const { staff } = office;

  describe('an admin', () => {
    it('when opening each resource, then an admin reads them all', async () => {
      const { agent } = await staff('admin');
      for (const resource of ['users', 'clients', 'messages', 'mailings', 'mailing_runs', 'deliveries', 'posts']) {
        const list = body(await agent.get(`${API}/${resource}/actions/list`).expect(200));
        expect(list.records, resource).to.be.an('array');
      }
    });

    it('when editing customers’ data, then the site’s rules apply as for the owner', async () => {
      const { agent } = await staff('admin');
      const owner = await makeUser();
      const taken = await makeClient(owner, { email: 'taken@example.test' });
      const client = await makeClient(owner);
      const clash = body(
        await agent.post(`${API}/clients/records/${client.id}/edit`).field('email', 'TAKEN@example.test').expect(200),
      );
      expect(clash.record?.errors.email?.message).to.be.a('string');
      const created = body(
        await agent
          .post(`${API}/clients/actions/new`)
          .field('ownerId', String(owner.id))
          .field('email', ' Fresh@Example.test ')
          .expect(200),
      );
      expect(created.notice?.type, JSON.stringify(created)).to.equal('success');
      expect(await Client.count({ where: { ownerId: owner.id, email: 'fresh@example.test' } })).to.equal(1);

      const mailing = await makeMailing(owner, { clients: [taken] });
      const refused = body(await agent.post(`${API}/messages/records/${mailing.messageId}/delete`).expect(200));
      expect(refused.notice?.type).to.equal('error');
      expect(await Message.findByPk(mailing.messageId)).not.to.equal(null);
    });

    it('when touching runs and deliveries, then they can be read but never created, edited or deleted', async () => {
      const { agent } = await staff('admin');
      const owner = await makeUser();
      const client = await makeClient(owner);
      const mailing = await makeMailing(owner, { clients: [client] });
      const run = await makeRun(mailing);
      const delivery = await makeDelivery(run, client);
      for (const [resource, id] of [
        ['mailing_runs', run.id],
        ['deliveries', delivery.id],
      ] as const) {
        await agent.get(`${API}/${resource}/actions/list`).expect(200);
        await agent.get(`${API}/${resource}/records/${id}/show`).expect(200);
        await agent.post(`${API}/${resource}/actions/new`).field('state', 'finished').expect(403);
        await agent.post(`${API}/${resource}/records/${id}/edit`).field('state', 'finished').expect(403);
        await agent.post(`${API}/${resource}/records/${id}/delete`).expect(403);
        await agent.post(`${API}/${resource}/bulk/bulkDelete?recordIds=${id}`).expect(403);
      }
      expect((await run.reload()).state).to.equal('pending');
      expect(await delivery.reload()).to.have.property('id', delivery.id);
    });

    it('when deleting a mailing with a run under way, then the run is cancelled and the scheduler told', async () => {
      const { agent } = await staff('admin');
      const owner = await makeUser();
      const client = await makeClient(owner);
      const mailing = await makeMailing(owner, { clients: [client] });
      const run = await startRunNow(testDatabase(), mailing.id);
      const changed: number[] = [];
      const listener = (id: number) => changed.push(id);
      deliveryEvents.on('mailing-changed', listener);
      try {
        const res = body(await agent.post(`${API}/mailings/records/${mailing.id}/delete`).expect(200));
        expect(res.notice?.type, JSON.stringify(res)).to.equal('success');
      } finally {
        deliveryEvents.off('mailing-changed', listener);
      }
      expect(await Mailing.findByPk(mailing.id)).to.equal(null);
      expect(await MailingRun.findByPk(run.id)).to.equal(null);
      expect(changed).to.include(mailing.id);
    });

    it('when changing a mailing’s schedule, then its next run is recomputed', async () => {
      const { agent } = await staff('admin');
      const owner = await makeUser();
      const mailing = await makeMailing(owner, { clients: [await makeClient(owner)] });
      const startAt = new Date(Date.now() + 3 * 24 * 60 * 60 * 1000);
      const endAt = new Date(startAt.getTime() + 10 * 24 * 60 * 60 * 1000);
      const res = body(
        await agent
          .post(`${API}/mailings/records/${mailing.id}/edit`)
          .field('startAt', startAt.toISOString())
          .field('endAt', endAt.toISOString())
          .field('ownerId', '999999')
          .expect(200),
      );
      expect(res.notice?.type, JSON.stringify(res)).to.equal('success');
      await mailing.reload();
      expect(mailing.nextRunAt?.getTime()).to.equal(startAt.getTime());
      expect(mailing.ownerId).to.equal(owner.id);
      await agent.post(`${API}/mailings/actions/new`).field('name', 'x').expect(403);
    });

    it('when an edit moves a mailing’s end into the past or before its start, then the end field says so in the site’s words and nothing changes', async () => {
      const { agent } = await staff('admin');
      const owner = await makeUser();
      const day = 24 * 60 * 60 * 1000;
      const mailing = await makeMailing(owner, {
        clients: [await makeClient(owner)],
        startAt: new Date(Date.now() - 3 * day),
        endAt: new Date(Date.now() + 4 * day),
      });
      const attempts = [
        { endAt: new Date(Date.now() - day), words: 'The end must be in the future.' },
        { endAt: new Date(mailing.startAt.getTime() - day), words: 'The end must be after the start.' },
      ];
      for (const { endAt, words } of attempts) {
        const res = body(
          await agent
            .post(`${API}/mailings/records/${mailing.id}/edit`)
            .field('name', 'Not saved')
            .field('endAt', endAt.toISOString())
            .expect(200),
        );
        expect(res.record?.errors.endAt?.message, words).to.equal(words);
      }
      // A change of periodicity is a new window too: the end already past refuses it the same way.
      const past = await makeMailing(owner, {
        startAt: new Date(Date.now() - 9 * day),
        endAt: new Date(Date.now() - day),
      });
      const rescheduled = body(
        await agent.post(`${API}/mailings/records/${past.id}/edit`).field('periodicity', 'weekly').expect(200),
      );
      expect(rescheduled.record?.errors.endAt?.message).to.equal('The end must be in the future.');
      expect([(await mailing.reload()).name, (await past.reload()).periodicity]).to.deep.equal([mailing.name, 'daily']);
    });

    it('when a mailing past its end keeps its window, then it can still be renamed and disabled, which records who and why and cancels its run under way', async () => {
      const { agent, user: admin } = await staff('admin');
      const owner = await makeUser();
      const day = 24 * 60 * 60 * 1000;
      const mailing = await makeMailing(owner, {
        clients: [await makeClient(owner)],
        startAt: new Date(Date.now() - 9 * day),
        endAt: new Date(Date.now() - day),
      });
      const run = await makeRun(mailing, new Date(Date.now() - 2 * day));
      const res = body(
        await agent
          .post(`${API}/mailings/records/${mailing.id}/edit`)
          .field('name', 'Renamed after its end')
          .field('isDisabled', 'true')
          .field('disabledReason', 'Complaints')
          .expect(200),
      );
      expect(res.notice?.type, JSON.stringify(res)).to.equal('success');
      await mailing.reload();
      expect(mailing).to.include({ name: 'Renamed after its end', isDisabled: true, disabledReason: 'Complaints' });
      expect(mailing.disabledById).to.equal(admin.id);
      expect((await run.reload()).state).to.equal('cancelled');
    });
  });
});
