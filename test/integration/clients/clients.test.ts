import { expect } from 'chai';
import request from 'supertest';
import { Client } from '../../../src/db/models/index.js';
import { makeClient, makeUser, unique } from '../../support/factories.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

describe('clients screens', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it('when there are none, then the list says to add a client or import a CSV', async () => {
    const browser = await signedIn(site.app, await makeUser());
    const res = await browser.agent.get('/clients').expect(200);
    expect(res.text).to.contain('No clients yet').and.to.contain('href="/clients/new"');
    expect(res.text).to.contain('href="/clients/import"');
  });

  it('when the list is asked for, then the page has the live search and htmx gets only the rows', async () => {
    const owner = await makeUser();
    await makeClient(owner, { email: 'ada@example.test', fullName: 'Ada Lovelace' });
    const browser = await signedIn(site.app, owner);
    const page = await browser.agent.get('/clients').expect(200);
    expect(page.text).to.contain('<html').and.to.contain('id="client-rows"').and.to.contain('ada@example.test');
    expect(page.text).to.contain('hx-get="/clients"').and.to.contain('hx-target="#client-rows"');
    expect(page.text).to.contain('hx-trigger="input changed delay:300ms, search"').and.to.contain('hx-push-url="true"');
    const fragment = await browser.agent.get('/clients?q=ada').set('HX-Request', 'true').expect(200);
    expect(fragment.text).not.to.contain('<html').and.not.to.contain('id="client-rows"');
    expect(fragment.text).to.contain('ada@example.test').and.to.contain('<table');
    const boosted = await browser.agent.get('/clients').set('HX-Request', 'true').set('HX-Boosted', 'true');
    expect(boosted.text).to.contain('<html');
  });

  it('when searching, then e-mail, name and comment match in any case, and only the own clients', async () => {
    const owner = await makeUser();
    await makeClient(owner, { email: 'first@example.test', fullName: 'Grace HOPPER' });
    await makeClient(owner, { email: 'second@example.test', comment: 'Met at the Hopper conference' });
    await makeClient(owner, { email: 'hopper@example.test' });
    await makeClient(owner, { email: 'other@example.test', fullName: 'Nobody' });
    await makeClient(await makeUser(), { email: 'stranger@example.test', fullName: 'Hopper' });
    const browser = await signedIn(site.app, owner);
    const res = await browser.agent.get('/clients?q=hOpPeR').expect(200);
    expect(res.text).to.contain('first@example.test').and.to.contain('second@example.test');
    expect(res.text).to.contain('hopper@example.test').and.to.contain('3 clients');
    expect(res.text).not.to.contain('other@example.test').and.not.to.contain('stranger@example.test');
  });

  it('when the search has LIKE wildcards, then they match themselves only', async () => {
    const owner = await makeUser();
    await makeClient(owner, { email: 'a_b@example.test' });
    await makeClient(owner, { email: 'axb@example.test', comment: '100% sure' });
    const browser = await signedIn(site.app, owner);
    const underscore = await browser.agent.get('/clients?q=a_b').expect(200);
    expect(underscore.text).to.contain('a_b@example.test').and.not.to.contain('axb@example.test');
    const percent = await browser.agent.get('/clients?q=0%25%20s').expect(200);
    expect(percent.text).to.contain('axb@example.test').and.not.to.contain('a_b@example.test');
  });

  it('when the search carries control characters (a NUL, line breaks), then they are dropped and the search answers', async () => {
    const owner = await makeUser();
    await makeClient(owner, { email: 'nul.search@example.test' });
    const browser = await signedIn(site.app, owner);
    for (const q of ['nul%00.search', 'nul%0D%0A', '%00', '%1B%7F'])
      expect((await browser.agent.get(`/clients?q=${q}`)).status, q).to.equal(200);
    const found = await browser.agent.get('/clients?q=nul.sea%00').expect(200);
    expect(found.text).to.contain('nul.search@example.test');
    const manager = await signedIn(site.app, await makeUser({ role: 'manager' }));
    await manager.agent.get('/users?q=ad%00min').expect(200);
  });

  it('when nothing matches, then the list says so and offers to show everyone', async () => {
    const owner = await makeUser();
    await makeClient(owner);
    const browser = await signedIn(site.app, owner);
    const res = await browser.agent.get('/clients?q=zzz-nothing').set('HX-Request', 'true').expect(200);
    expect(res.text).to.contain('No client matches “zzz-nothing”').and.to.contain('href="/clients"');
    expect(res.text).not.to.contain('No clients yet');
  });

  it('when there are more clients than a page, then the pager keeps the search', async () => {
    const owner = await makeUser();
    for (let n = 10; n < 40; n += 1) await makeClient(owner, { email: `page${n}@example.test` });
    await makeClient(owner, { email: 'unrelated@example.test' });
    const browser = await signedIn(site.app, owner);
    const first = await browser.agent.get('/clients?q=page').expect(200);
    expect(first.text).to.contain('page10@example.test').and.not.to.contain('page35@example.test');
    expect(first.text).to.contain('Page 1 of 2').and.to.contain('href="/clients?q=page&amp;page=2"');
    const second = await browser.agent.get('/clients?q=page&page=2').set('HX-Request', 'true').expect(200);
    expect(second.text).to.contain('page35@example.test').and.not.to.contain('page10@example.test');
    expect(second.text).to.contain('Page 2 of 2').and.not.to.contain('unrelated@example.test');
  });

  it('when a client is created, edited and deleted, then each step is saved and confirmed', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    await browser.agent.get('/clients/new').expect(200);
    await browser
      .post('/clients', { email: '  Ada@Example.TEST ', fullName: ' Ada ', comment: 'VIP' })
      .expect(303)
      .expect('Location', '/clients');
    const client = await Client.findOne({ where: { ownerId: owner.id } });
    expect(client).to.include({ email: 'ada@example.test', fullName: 'Ada', comment: 'VIP' });
    const list = await browser.agent.get('/clients').expect(200);
    expect(list.text).to.contain('Client added.').and.to.contain('ada@example.test');

    const edit = await browser.agent.get(`/clients/${client?.id}/edit`).expect(200);
    expect(edit.text).to.contain('value="ada@example.test"').and.to.contain('hx-confirm=');
    await browser
      .post(`/clients/${client?.id}`, { email: 'ada@example.test', fullName: 'Ada Lovelace', comment: '' })
      .expect(303)
      .expect('Location', '/clients');
    await client?.reload();
    expect(client).to.include({ fullName: 'Ada Lovelace', comment: '' });
    expect((await browser.agent.get('/clients')).text).to.contain('Client saved.');

    await browser.post(`/clients/${client?.id}/delete`, { confirm: '1' }).expect(303).expect('Location', '/clients');
    expect(await Client.findByPk(client?.id)).to.equal(null);
    expect((await browser.agent.get('/clients')).text).to.contain('Client deleted.');
  });

  it('when the form is invalid, then errors show by each field with the input kept, status 422', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    const res = await browser
      .post('/clients', { email: 'not an e-mail', fullName: 'Kept Name', comment: 'x'.repeat(1001) })
      .expect(422);
    expect(res.text).to.contain('Enter a valid e-mail address.').and.to.contain('This is too long.');
    expect(res.text).to.contain('value="not an e-mail"').and.to.contain('value="Kept Name"');
    const empty = await browser.post('/clients', { email: '', fullName: 'Kept' }).expect(422);
    expect(empty.text).to.contain('This field is required.');
    const long = await browser.post('/clients', { email: `${'a'.repeat(250)}@example.test` }).expect(422);
    expect(long.text).to.contain('This is too long.');
    for (const email of ['"</script><script>alert(1)</script>"@x.test', 'ada@example.test\r\nBcc: x@y.test']) {
      const unsafe = await browser.post('/clients', { email, fullName: 'Kept' }).expect(422);
      expect(unsafe.text).to.contain('Enter a valid e-mail address.').and.not.to.contain('<script>alert(1)');
    }
    const client = await makeClient(owner);
    const edit = await browser.post(`/clients/${client.id}`, { email: 'bad', fullName: 'Edited' }).expect(422);
    expect(edit.text).to.contain('Enter a valid e-mail address.').and.to.contain('value="Edited"');
    expect(await Client.count({ where: { ownerId: owner.id } })).to.equal(1);
  });

  it('when the e-mail is already one of the own clients, then it is a field error; another user may have it', async () => {
    const owner = await makeUser();
    const existing = await makeClient(owner, { email: 'taken@example.test' });
    const other = await makeClient(owner, { email: 'other@example.test' });
    await makeClient(await makeUser(), { email: 'shared@example.test' });
    const browser = await signedIn(site.app, owner);
    const created = await browser.post('/clients', { email: ' TAKEN@example.test', fullName: 'Twin' }).expect(422);
    expect(created.text).to.contain('You already have a client with this e-mail.').and.to.contain('value="Twin"');
    await browser.post(`/clients/${other.id}`, { email: 'Taken@Example.test' }).expect(422);
    await browser.post(`/clients/${existing.id}`, { email: 'taken@example.test', fullName: 'Same' }).expect(303);
    await browser.post('/clients', { email: 'shared@example.test' }).expect(303);
    expect(await Client.count({ where: { ownerId: owner.id } })).to.equal(3);
  });

  it('when the pre-check is beaten by a concurrent insert, then the unique index gives the same field error', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    const email = `${unique('race')}@example.test`;
    // Another request inserts the same e-mail between the pre-check and the insert.
    let raced = false;
    Client.addHook('beforeCreate', 'race', async (client) => {
      if (client.get('email') !== email) return;
      raced = true;
      await Client.create({ ownerId: owner.id, email }, { hooks: false });
    });
    try {
      const res = await browser.post('/clients', { email, fullName: 'Second' }).expect(422);
      expect(res.text).to.contain('You already have a client with this e-mail.');
    } finally {
      Client.removeHook('beforeCreate', 'race');
    }
    expect(raced).to.equal(true);
    expect(await Client.count({ where: { ownerId: owner.id } })).to.equal(1);
  });

  it('when a name or comment holds markup, then the list shows it escaped', async () => {
    const owner = await makeUser();
    await makeClient(owner, { fullName: '<script>alert(1)</script>', comment: '<img src=x onerror=alert(2)>' });
    const browser = await signedIn(site.app, owner);
    for (const res of [
      await browser.agent.get('/clients').expect(200),
      await browser.agent.get('/clients').set('HX-Request', 'true').expect(200),
    ]) {
      expect(res.text).not.to.contain('<script>alert(1)').and.not.to.contain('<img src=x');
      expect(res.text).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;').and.to.contain('&lt;img src=x');
    }
  });

  it('when a client has unsubscribed, then the list shows a badge', async () => {
    const owner = await makeUser();
    const client = await makeClient(owner);
    await client.update({ unsubscribedAt: new Date('2026-01-02T03:04:00Z') });
    const browser = await signedIn(site.app, owner);
    const res = await browser.agent.get('/clients').expect(200);
    expect(res.text).to.contain('Unsubscribed').and.to.contain('2026-01-02 03:04');
  });

  it("when another user's client id is used, then every route answers 404 and nothing changes", async () => {
    const client = await makeClient(await makeUser(), { fullName: 'Not yours' });
    const browser = await signedIn(site.app, await makeUser());
    await browser.agent.get(`/clients/${client.id}/edit`).expect(404);
    await browser.post(`/clients/${client.id}`, { email: 'mine@example.test', fullName: 'x' }).expect(404);
    await browser.post(`/clients/${client.id}/delete`).expect(404);
    await browser.agent.get('/clients/abc/edit').expect(404);
    await client.reload();
    expect(client.fullName).to.equal('Not yours');
  });

  it('when a manager opens the clients screens, then every one is 403', async () => {
    const client = await makeClient(await makeUser());
    const browser = await signedIn(site.app, await makeUser({ role: 'manager' }));
    for (const path of [
      '/clients',
      '/clients/new',
      '/clients/import',
      '/clients/export.csv',
      `/clients/${client.id}/edit`,
    ])
      await browser.agent.get(path).expect(403);
    await browser.post('/clients', { email: 'x@example.test' }).expect(403);
    await browser.post(`/clients/${client.id}/delete`).expect(403);
    await browser.post('/clients/import', { csv: 'email\nx@example.test' }).expect(403);
  });

  it('when nobody is signed in, then the list sends to the login page', async () => {
    const res = await request(site.app).get('/clients?q=a').expect(303);
    expect(res.headers.location).to.equal('/login?next=%2Fclients%3Fq%3Da');
  });

  it('when the user speaks Russian, then the list is in Russian with the right plural', async () => {
    const owner = await makeUser();
    await owner.update({ language: 'ru' });
    for (let n = 0; n < 5; n += 1) await makeClient(owner);
    const browser = await signedIn(site.app, owner);
    const res = await browser.agent.get('/clients').expect(200);
    expect(res.text).to.contain('Клиенты').and.to.contain('5 клиентов');
  });
});
