import { expect } from 'chai';
import { Message } from '../../../src/db/models/index.js';
import { makeClient, makeMailing, makeMessage, makeUser } from '../../support/factories.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

// Issue 16, bug 4: managers read every message (its page and preview, read-only), as they read every mailing.
describe('managers reading messages', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  async function customerMessage() {
    const owner = await makeUser({ fullName: 'Olga Owner' });
    const client = await makeClient(owner, { fullName: 'Carl Client' });
    await makeClient(owner, { fullName: 'Second Client' });
    const message = await makeMessage(owner, { bodyText: 'Hello {{full_name}}', bodyHtml: '<p>Hi {{full_name}}</p>' });
    const mailing = await makeMailing(owner, { message, clients: [client] });
    return { owner, client, message, mailing };
  }

  it("when a manager follows a mailing's message link, then they read the message as the owner's first client will, with no way to change it", async () => {
    const { client, message, mailing } = await customerMessage();
    const manager = await signedIn(site.app, await makeUser({ role: 'manager' }));
    const mailingPage = await manager.agent.get(`/mailings/${mailing.id}`).expect(200);
    expect(mailingPage.text).to.contain(`href="/messages/${message.id}"`);
    const page = await manager.agent.get(`/messages/${message.id}`).expect(200);
    expect(page.text)
      .to.contain(message.subject)
      .and.to.contain(`Carl Client &lt;${client.email}&gt;`)
      .and.to.contain('Hello Carl Client');
    expect(page.text).not.to.contain(`href="/messages/${message.id}/edit"`);
    expect(page.text).not.to.contain(`action="/messages/${message.id}/delete"`);
    const frame = await manager.agent.get(`/messages/${message.id}/preview.html`).expect(200);
    expect(frame.text).to.contain('<p>Hi Carl Client</p>');
    expect(frame.headers['content-security-policy']).to.contain('sandbox');
  });

  it('when a manager tries the list or any change, then it is refused with 403 and the message stays as it was', async () => {
    const { message } = await customerMessage();
    const manager = await signedIn(site.app, await makeUser({ role: 'manager' }));
    await manager.agent.get('/messages').expect(403);
    await manager.agent.get('/messages/new').expect(403);
    await manager.agent.get(`/messages/${message.id}/edit`).expect(403);
    await manager.post(`/messages/${message.id}`, { subject: 'Changed', bodyText: 'x' }).expect(403);
    await manager.post(`/messages/${message.id}/delete`, { confirm: '1' }).expect(403);
    expect(await Message.findByPk(message.id)).to.include({ subject: message.subject });
    await manager.agent.get('/messages/999999999').expect(404);
  });

  it("when a customer asks for someone else's message, then it is a 404; the owner still sees Edit and Delete", async () => {
    const { owner, message } = await customerMessage();
    const stranger = await signedIn(site.app, await makeUser());
    await stranger.agent.get(`/messages/${message.id}`).expect(404);
    await stranger.agent.get(`/messages/${message.id}/preview.html`).expect(404);
    const own = await signedIn(site.app, owner);
    const page = await own.agent.get(`/messages/${message.id}`).expect(200);
    expect(page.text)
      .to.contain(`href="/messages/${message.id}/edit"`)
      .and.to.contain(`action="/messages/${message.id}/delete"`);
  });

  it('when a Russian-speaking manager reads a message, then the page is in Russian with no Edit or Delete', async () => {
    const { message } = await customerMessage();
    const user = await makeUser({ role: 'manager' });
    const manager = await signedIn(site.app, await user.update({ language: 'ru' }));
    const page = await manager.agent.get(`/messages/${message.id}`).expect(200);
    expect(page.text).to.contain('Кому').and.to.contain('Hello Carl Client');
    expect(page.text).not.to.contain('>Изменить<').and.not.to.contain('>Удалить<');
  });
});
