import { expect } from 'chai';
import { Delivery } from '../../../src/db/models/index.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { makeClient, makeMailing, makeMessage, makeUser } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { customerScreens } from '../../support/routes.js';
import { signedIn, testSite } from '../../support/web.js';

const PAYLOAD = '<script>alert("x")</script>';
const ESCAPED = '&lt;script&gt;alert(';

describe('output escaping', () => {
  it('when every text field holds a <script> payload, then every screen shows it as text', async () => {
    const { app } = testSite();
    const owner = await makeUser({ fullName: PAYLOAD });
    const client = await makeClient(owner, { fullName: PAYLOAD, comment: PAYLOAD });
    const message = await makeMessage(owner, { subject: PAYLOAD, bodyText: PAYLOAD, bodyHtml: `<p>${PAYLOAD}</p>` });
    const mailing = await makeMailing(owner, { message, clients: [client] });
    await mailing.update({ name: PAYLOAD });
    const run = await startRunNow(testDatabase(), mailing.id);
    await run.update({ state: 'paused', pausedReason: PAYLOAD });
    await Delivery.update(
      { status: 'failed', smtpResponse: PAYLOAD, errorClass: 'permanent', attemptCount: 1, lastAttemptAt: new Date() },
      { where: { runId: run.id } },
    );
    const browser = await signedIn(app, owner);

    const screens = customerScreens({ client: client.id, message: message.id, mailing: mailing.id, run: run.id });
    for (const screen of screens) {
      const res = await browser.agent.get(screen).expect(200);
      expect(res.text, screen).not.to.contain('<script>alert');
      expect(res.text, screen).to.contain(ESCAPED);
    }
    const fragment = await browser.agent.get('/clients?q=script').set('HX-Request', 'true').expect(200);
    expect(fragment.text).not.to.contain('<script>alert');
    expect(fragment.text).to.contain(ESCAPED);
  });
});
