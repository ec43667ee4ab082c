import { expect } from 'chai';
import { Message } from '../../../src/db/models/index.js';
import { makeClient, makeMailing, makeMessage, makeUser } from '../../support/factories.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

describe('messages screens', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it('when there are none, then the list says what to do next', async () => {
    const browser = await signedIn(site.app, await makeUser());
    const res = await browser.agent.get('/messages').expect(200);
    expect(res.text).to.contain('No messages yet').and.to.contain('href="/messages/new"');
  });

  it('when a message is created, edited and deleted, then each step is saved and confirmed', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    await browser.agent.get('/messages/new').expect(200);
    const created = await browser
      .post('/messages', { subject: 'Spring news', bodyText: 'Hello {{full_name}}', bodyHtml: '' })
      .expect(303);
    const message = await Message.findOne({ where: { ownerId: owner.id } });
    expect(message).to.include({ subject: 'Spring news', bodyText: 'Hello {{full_name}}', bodyHtml: null });
    expect(created.headers.location).to.equal(`/messages/${message?.id}`);
    const shown = await browser.agent.get(`/messages/${message?.id}`).expect(200);
    expect(shown.text).to.contain('Message created.').and.to.contain('Spring news');

    await browser.agent.get(`/messages/${message?.id}/edit`).expect(200);
    await browser
      .post(`/messages/${message?.id}`, { subject: 'Summer news', bodyText: 'Hi', bodyHtml: '<p>Hi</p>' })
      .expect(303);
    await message?.reload();
    expect(message).to.include({ subject: 'Summer news', bodyHtml: '<p>Hi</p>' });

    await browser.post(`/messages/${message?.id}/delete`, { confirm: '1' }).expect(303).expect('Location', '/messages');
    expect(await Message.findByPk(message?.id)).to.equal(null);
  });

  it('when the form is invalid, then errors show by each field and the input is kept (page and htmx alike)', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    const res = await browser.post('/messages', { subject: '', bodyText: 'kept body' }).expect(422);
    expect(res.text).to.contain('This field is required.').and.to.contain('kept body');
    const htmx = await browser
      .post('/messages', { subject: '', bodyText: 'kept body' })
      .set('HX-Request', 'true')
      .set('HX-Boosted', 'true')
      .expect(422);
    expect(htmx.text).to.contain('This field is required.').and.to.contain('kept body');
    expect(await Message.count({ where: { ownerId: owner.id } })).to.equal(0);
  });

  it('when a placeholder is not one the e-mail fills, then saving is refused naming the known ones (either language)', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    const typed = {
      subject: 'Hi {{ full_name }}',
      bodyText: 'Dear {{fullname}}',
      bodyHtml: '<p>{{ email }} {{name}}</p>',
    };
    const res = await browser.post('/messages', typed).expect(422);
    expect(
      res.text.match(/Unknown placeholder: only \{\{full_name\}\} and \{\{email\}\} are filled in\./g),
    ).to.have.length(2);
    expect(res.text).to.contain('Dear {{fullname}}');
    expect(await Message.count({ where: { ownerId: owner.id } })).to.equal(0);

    const message = await makeMessage(owner, { bodyText: 'Hello {{full_name}}' });
    const russian = await signedIn(site.app, await owner.update({ language: 'ru' }));
    const edit = await russian.post(`/messages/${message.id}`, { subject: 'S', bodyText: '{{ имя }}' }).expect(422);
    expect(edit.text).to.contain('Неизвестная подстановка: заполняются только {{full_name}} и {{email}}.');
    await message.reload();
    expect(message.bodyText).to.equal('Hello {{full_name}}');

    await browser
      .post('/messages', { ...typed, bodyText: 'Dear {{ full_name }}', bodyHtml: '<p>{{email}}</p>' })
      .expect(303);
  });

  it('when previewed, then placeholders are filled for a real client and the HTML is served sandboxed', async () => {
    const owner = await makeUser();
    await makeClient(owner, { fullName: 'Ada <Lovelace>', email: 'ada@example.test' });
    const message = await makeMessage(owner, {
      subject: 'For {{full_name}}',
      bodyText: 'Dear {{full_name}}',
      bodyHtml: '<p>Dear {{full_name}}</p>',
    });
    const browser = await signedIn(site.app, owner);
    const page = await browser.agent.get(`/messages/${message.id}`).expect(200);
    expect(page.text).to.contain('For Ada &lt;Lovelace&gt;').and.to.contain('Dear Ada &lt;Lovelace&gt;');
    const html = await browser.agent.get(`/messages/${message.id}/preview.html`).expect(200);
    expect(html.text).to.contain('<p>Dear Ada &lt;Lovelace&gt;</p>');
    expect(html.headers['content-security-policy']).to.contain('sandbox').and.to.contain("default-src 'none'");
  });

  it('when a delete is posted without JavaScript, then a page asks first and nothing is deleted yet', async () => {
    const owner = await makeUser();
    const message = await makeMessage(owner);
    const browser = await signedIn(site.app, owner);
    const res = await browser.post(`/messages/${message.id}/delete`).expect(200);
    expect(res.text).to.contain('Delete this for good?').and.to.contain('name="confirm" value="1"');
    expect(await Message.findByPk(message.id)).not.to.equal(null);
  });

  it('when a message is used by a mailing, then deleting it is refused with a notice', async () => {
    const owner = await makeUser();
    const message = await makeMessage(owner);
    await makeMailing(owner, { message });
    const browser = await signedIn(site.app, owner);
    const res = await browser
      .post(`/messages/${message.id}/delete`, { confirm: '1' })
      .set('Referer', `http://x/messages/${message.id}`)
      .expect(303);
    expect(res.headers.location).to.equal(`/messages/${message.id}`);
    const page = await browser.agent.get(`/messages/${message.id}`).expect(200);
    expect(page.text).to.contain('This message is used by a mailing.');
    expect(await Message.findByPk(message.id)).not.to.equal(null);
  });

  it("when another user's message id is used, then every route answers 404", async () => {
    const message = await makeMessage(await makeUser());
    const browser = await signedIn(site.app, await makeUser());
    for (const path of ['', '/edit', '/preview.html'])
      await browser.agent.get(`/messages/${message.id}${path}`).expect(404);
    await browser.post(`/messages/${message.id}`, { subject: 'x', bodyText: 'y' }).expect(404);
    await browser.post(`/messages/${message.id}/delete`).expect(404);
    expect(await Message.findByPk(message.id)).not.to.equal(null);
  });

  it('when a manager tries to write messages, then it is 403', async () => {
    const browser = await signedIn(site.app, await makeUser({ role: 'manager' }));
    await browser.agent.get('/messages').expect(403);
    await browser.post('/messages', { subject: 'x', bodyText: 'y' }).expect(403);
  });
});
