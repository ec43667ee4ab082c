import { expect } from 'chai';
import { Client, Mailing, Message, SenderIdentity, Suppression } from '../../../src/db/models/index.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { addDomain } from '../../../src/domains/domains.service.js';
import { createIdentity } from '../../../src/domains/identities.service.js';
import { addSuppression } from '../../../src/suppressions/suppressions.service.js';
import { makeClient, makeMailing, makeMessage, makeUser, unique } from '../../support/factories.js';
import { testConfig, testDatabase } from '../../support/hooks.js';
import { routesOf } from '../../support/routes.js';
import { roleCan, type Permission } from '../../../src/permissions.js';
import { signedIn, testSite } from '../../support/web.js';

describe('the route table', () => {
  it('when the app is built, then every route declares who may use it', () => {
    const routes = routesOf(testSite().app);
    expect(routes.length).to.be.greaterThan(20);
    const undeclared = routes.filter((entry) => !entry.access).map((entry) => `${entry.method} ${entry.path}`);
    expect(undeclared, 'routes without a permission').to.deep.equal([]);
  });

  it("when any route that takes an id gets another user's id, then it answers 404 and changes nothing", async () => {
    const site = testSite();
    const owner = await makeUser();
    const client = await makeClient(owner);
    const message = await makeMessage(owner);
    const mailing = await makeMailing(owner, { message, clients: [client] });
    const run = await startRunNow(testDatabase(), mailing.id);
    const stateBefore = run.state;
    const domain = await addDomain(
      owner,
      { name: `${unique('route')}.example.test`, ed25519: false },
      testConfig().senders,
    );
    const identity = await createIdentity(owner, {
      domainId: domain.id,
      displayName: 'Owner',
      fromAddress: `owner@${domain.name}`,
      replyTo: null,
    });
    const suppression = await addSuppression(owner, { email: `${unique('gone')}@example.test` });
    const idsByArea: Record<string, number> = {
      suppressions: suppression.id,
      clients: client.id,
      messages: message.id,
      mailings: mailing.id,
      reports: run.id,
      users: owner.id,
      domains: domain.id,
      identities: identity.id,
    };
    const stranger = await signedIn(site.app, await makeUser());

    // Public pages with ids (a blog post) own nothing; every other route with an id reaches an owned record.
    const withIds = routesOf(site.app).filter((route) => /:(id|runId)\b/.test(route.path) && route.access !== 'public');
    expect(withIds.length).to.be.greaterThan(10);
    const answers: string[] = [];
    for (const route of withIds) {
      const area = route.path.split('/')[1] ?? '';
      const id = idsByArea[area];
      expect(id, `no record of ${area} to try ${route.method} ${route.path} with`).to.be.a('number');
      const path = route.path.replace(':id', String(id)).replace(':runId', String(run.id)).replace(':action', 'cancel');
      const res = route.method === 'GET' ? await stranger.agent.get(path) : await stranger.post(path, {});
      // A route a customer may not use at all is a 403 before any lookup; one they may use must not tell
      // someone else's record from a missing one.
      const allowed = (route.access ?? '').split('|').some((access) => roleCan('user', access as Permission));
      if (res.status !== (allowed ? 404 : 403)) answers.push(`${route.method} ${path} → ${res.status}`);
    }
    expect(answers, 'routes that did not answer 404').to.deep.equal([]);
    expect(await Client.findByPk(client.id)).not.to.equal(null);
    expect(await Message.findByPk(message.id)).not.to.equal(null);
    expect((await Mailing.findByPk(mailing.id))?.name).to.equal(mailing.name);
    expect((await run.reload()).state).to.equal(stateBefore);
    expect(await SenderIdentity.findByPk(identity.id)).not.to.equal(null);
    expect(await Suppression.findByPk(suppression.id)).not.to.equal(null);
  });
});
