import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { clientChunkSql, clientChunks, IMPORT_BATCH } from '../../../src/clients/clients.service.js';
import { isPostgres } from '../../../src/delivery/sql.js';
import { Client, type User } from '../../../src/db/models/index.js';
import { makeClient, makeUser, unique } from '../../support/factories.js';
import { testDatabase } from '../../support/hooks.js';
import { signedIn, testSite, type Browser, type TestSite } from '../../support/web.js';

function upload(browser: Browser, file: string | Buffer, url = '/clients/import/preview') {
  return browser.agent
    .post(url)
    .field('_csrf', browser.csrf)
    .attach('file', Buffer.isBuffer(file) ? file : Buffer.from(file), 'clients.csv');
}

// What a browser sends back from the preview's hidden textarea.
function carriedCsv(html: string): string {
  const match = /<textarea name="csv" hidden>([\s\S]*?)<\/textarea>/.exec(html);
  if (!match?.[1]) throw new Error('no carried CSV on the page');
  return match[1]
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function emailsOf(owner: User): Promise<string[]> {
  return Client.findAll({ where: { ownerId: owner.id }, order: [['email', 'ASC']] }).then((rows) =>
    rows.map((row) => row.email),
  );
}

describe('clients CSV import and export', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it('when the import page is opened, then it has a multipart form with the CSRF field', async () => {
    const browser = await signedIn(site.app, await makeUser());
    const res = await browser.agent.get('/clients/import').expect(200);
    expect(res.text).to.contain('enctype="multipart/form-data"').and.to.contain('name="_csrf"');
    expect(res.text).to.contain('type="file" name="file"');
  });

  it('when a file is previewed, then every row shows its status and errors, and nothing is saved', async () => {
    const owner = await makeUser();
    await makeClient(owner, { email: 'known@example.test' });
    const browser = await signedIn(site.app, owner);
    const csv = [
      'Email,Name,Comment,Phone',
      'new@example.test,New Person,<b>hi</b>,555',
      'not-an-email,Broken,,',
      'NEW@example.test,Twin,,',
      'known@example.test,Known,,',
      `long@example.test,,${'x'.repeat(1001)},`,
    ].join('\n');
    const res = await upload(browser, csv).expect(200);
    expect(res.text).to.contain('5 rows in the file').and.to.contain('1 will be imported');
    expect(res.text).to.contain('1 skipped: already your client').and.to.contain('1 skipped: repeated in the file');
    expect(res.text).to.contain('2 skipped: with errors');
    expect(res.text).to.contain('Will be imported').and.to.contain('Skipped: already exists');
    expect(res.text).to.contain('E-mail: Enter a valid e-mail address.').and.to.contain('Comment: This is too long.');
    expect(res.text).to.contain('&lt;b&gt;hi&lt;/b&gt;').and.not.to.contain('<b>hi</b>');
    expect(res.text).to.contain('Import 1 client').and.to.contain('action="/clients/import"');
    expect(carriedCsv(res.text)).to.equal(csv);
    expect(await emailsOf(owner)).to.deep.equal(['known@example.test']);
  });

  it('when the preview is confirmed, then the new rows are saved and the flash counts imported and skipped', async () => {
    const owner = await makeUser();
    await makeClient(owner, { email: 'known@example.test' });
    const browser = await signedIn(site.app, owner);
    const csv =
      'email,full_name,comment\r\nAda@Example.test, Ada ,"line one\r\nline two"\r\nbad,,\r\nknown@example.test,,\r\nalan@example.test,Alan,\r\n';
    const preview = await upload(browser, csv).expect(200);
    const res = await browser.agent
      .post('/clients/import')
      .field('_csrf', browser.csrf)
      .field('csv', carriedCsv(preview.text))
      .expect(303);
    expect(res.headers.location).to.equal('/clients');
    const list = await browser.agent.get('/clients').expect(200);
    expect(list.text).to.contain('2 clients imported, 2 skipped.');
    expect(await emailsOf(owner)).to.deep.equal(['ada@example.test', 'alan@example.test', 'known@example.test']);
    const ada = await Client.findOne({ where: { ownerId: owner.id, email: 'ada@example.test' } });
    expect(ada).to.include({ fullName: 'Ada', comment: 'line one\nline two' });
  });

  it('when a client is added between preview and commit, then the commit checks again and skips it', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    const csv = 'email\nfirst@example.test\nlate@example.test\n';
    await upload(browser, csv).expect(200);
    await makeClient(owner, { email: 'late@example.test', fullName: 'Added meanwhile' });
    await browser.post('/clients/import', { csv }).expect(303);
    expect((await browser.agent.get('/clients')).text).to.contain('1 client imported, 1 skipped.');
    expect(await emailsOf(owner)).to.deep.equal(['first@example.test', 'late@example.test']);
  });

  it('when an insert fails in a later batch, then the whole import is undone (nothing half-imported)', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    const rows = Array.from({ length: IMPORT_BATCH + 100 }, (_, n) => `${unique(`bulk${n}-`)}@example.test`);
    const failing = rows[IMPORT_BATCH + 50] ?? '';
    const csv = ['email', ...rows].join('\n');
    await upload(browser, csv).expect(200);
    // The database refuses one row in the second INSERT, a failure the checks cannot foresee.
    const sequelize = testDatabase();
    const postgres = sequelize.getDialect() === 'postgres';
    const create = postgres
      ? [
          `CREATE FUNCTION refuse_one_client() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
             IF NEW.email = '${failing}' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`,
          'CREATE TRIGGER refuse_one_client BEFORE INSERT ON clients FOR EACH ROW EXECUTE FUNCTION refuse_one_client()',
        ]
      : [
          `CREATE TRIGGER refuse_one_client BEFORE INSERT ON clients WHEN NEW.email = '${failing}'
           BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`,
        ];
    const drop = postgres
      ? ['DROP TRIGGER refuse_one_client ON clients', 'DROP FUNCTION refuse_one_client()']
      : ['DROP TRIGGER refuse_one_client'];
    for (const sql of create) await sequelize.query(sql);
    try {
      await browser.post('/clients/import', { csv }).expect(500);
    } finally {
      for (const sql of drop) await sequelize.query(sql);
    }
    expect(await Client.count({ where: { ownerId: owner.id } })).to.equal(0);
    await browser.post('/clients/import', { csv }).expect(303);
    expect(await Client.count({ where: { ownerId: owner.id } })).to.equal(rows.length);
  });

  it('when the unique index refuses a row at commit, then nothing is imported and the check is shown again', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    const csv = 'email\nfirst@example.test\nclash@example.test\n';
    // A row with the same e-mail appears after the commit's check, just before its insert.
    Client.addHook('beforeBulkCreate', 'clash', async (_clients, options) => {
      await Client.create({ ownerId: owner.id, email: 'clash@example.test' }, { transaction: options.transaction });
    });
    let res;
    try {
      res = await browser.post('/clients/import', { csv }).expect(409);
    } finally {
      Client.removeHook('beforeBulkCreate', 'clash');
    }
    expect(res.text).to.contain('Nothing was imported').and.to.contain('Import 2 clients');
    expect(await Client.count({ where: { ownerId: owner.id } })).to.equal(0);
  });

  it('when the file cannot be used, then the upload form says why with status 422', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    const noFile = await browser.agent.post('/clients/import/preview').field('_csrf', browser.csrf).expect(422);
    expect(noFile.text).to.contain('Choose a CSV file.');
    const latin1 = Buffer.from('email,full_name\nzoe@example.test,Zo\xe9\n', 'latin1');
    expect((await upload(browser, latin1).expect(422)).text).to.contain('This is not a UTF-8 text file.');
    const binary = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]);
    expect((await upload(browser, binary).expect(422)).text).to.contain('This is not a UTF-8 text file.');
    const tooMany = ['email', ...Array.from({ length: 5001 }, (_, n) => `r${n}@example.test`)].join('\n');
    expect((await upload(browser, tooMany).expect(422)).text).to.contain('The file has more than 5,000 rows.');
    expect((await upload(browser, 'name\nAda\n').expect(422)).text).to.contain('one of them must be email');
    expect((await upload(browser, 'email\n').expect(422)).text).to.contain('it needs a header row');
    expect((await upload(browser, 'email\n"unclosed@example.test\n').expect(422)).text).to.contain(
      'cannot be read as CSV',
    );
    expect((await browser.post('/clients/import', { csv: tooMany }).expect(422)).text).to.contain('5,000 rows');
    expect(await Client.count({ where: { ownerId: owner.id } })).to.equal(0);
  });

  it('when a spreadsheet saved the file with a BOM and semicolons, then it is read all the same', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    const csv = '\uFEFFemail;fullName;comment\nivan@example.test;Иван Петров;друг, коллега\n';
    const preview = await upload(browser, csv).expect(200);
    expect(preview.text).to.contain('Иван Петров').and.to.contain('Import 1 client');
    await browser.post('/clients/import', { csv: carriedCsv(preview.text) }).expect(303);
    const client = await Client.findOne({ where: { ownerId: owner.id } });
    expect(client).to.include({ email: 'ivan@example.test', fullName: 'Иван Петров', comment: 'друг, коллега' });
  });

  it('when the clients are exported, then the CSV has a BOM, the header, the own clients only, no live formulas, dates in the zone', async () => {
    const owner = await (await makeUser()).update({ timeZone: 'Europe/Moscow' });
    await makeClient(owner, {
      email: 'b@example.test',
      fullName: '=HYPERLINK("http://evil.test")',
      comment: '+1 call',
    });
    const unsubscribed = await makeClient(owner, { email: 'a@example.test', fullName: 'Ann, "the" first' });
    await unsubscribed.update({ unsubscribedAt: new Date('2026-03-04T05:06:07Z') });
    await makeClient(owner, { email: 'c@example.test', fullName: '-2+3', comment: '@SUM(A1:A2)' });
    await makeClient(await makeUser(), { email: 'stranger@example.test' });
    const browser = await signedIn(site.app, owner);
    const res = await browser.agent.get('/clients/export.csv').buffer(true).expect(200);
    expect(res.headers['content-type']).to.match(/^text\/csv; charset=utf-8/);
    expect(res.headers['content-disposition']).to.equal('attachment; filename="clients.csv"');
    expect(res.text.split('\n')[0]).to.equal('\uFEFFemail,full_name,comment,unsubscribed_at');
    const rows = parse(res.text, { bom: true });
    expect(rows).to.deep.equal([
      ['email', 'full_name', 'comment', 'unsubscribed_at'],
      ['a@example.test', 'Ann, "the" first', '', '2026-03-04T08:06:07+03:00'],
      ['b@example.test', `'=HYPERLINK("http://evil.test")`, `'+1 call`, ''],
      ['c@example.test', `'-2+3`, `'@SUM(A1:A2)`, ''],
    ]);
  });

  it('when the clients are exported, then they are read a chunk at a time, in e-mail order, none twice', async () => {
    const owner = await makeUser();
    for (const name of ['e', 'b', 'd', 'a', 'c']) await makeClient(owner, { email: `${name}@example.test` });
    await makeClient(await makeUser(), { email: 'b0@example.test' });
    const chunks: string[][] = [];
    for await (const chunk of clientChunks(owner, 2)) chunks.push(chunk.map((client) => client.email));
    expect(chunks).to.deep.equal([
      ['a@example.test', 'b@example.test'],
      ['c@example.test', 'd@example.test'],
      ['e@example.test'],
    ]);
  });

  it("when a later chunk is read, then the database starts at the last row sent (an index range), not at the owner's first client", async () => {
    const sequelize = testDatabase();
    const replacements = { ownerId: 1, email: 'm@example.test', id: 1, size: 1000 };
    const plan = await sequelize.transaction(async (transaction) => {
      if (!isPostgres(sequelize)) {
        const [rows] = await sequelize.query(`EXPLAIN QUERY PLAN ${clientChunkSql(true)}`, {
          replacements,
          transaction,
        });
        return (rows as { detail: string }[]).map((row) => row.detail).join('\n');
      }
      // The test's table is small enough to scan whole; the question is what an index could bound.
      await sequelize.query('SET LOCAL enable_seqscan = off', { transaction });
      const [rows] = await sequelize.query(`EXPLAIN ${clientChunkSql(true)}`, { replacements, transaction });
      return (rows as { 'QUERY PLAN': string }[]).map((row) => row['QUERY PLAN']).join('\n');
    });
    // The range starts at the last row sent: its e-mail (and id) bound the index scan, beside the owner.
    const bound = isPostgres(sequelize)
      ? /Index Cond: \(\(owner_id = 1\) AND \(ROW\(\(email\)::text, id\) > ROW/
      : /USING INDEX \S+ \(owner_id=\? AND (email>\?|\(email,id\)>\(\?,\?\))\)/;
    expect(plan, plan).to.match(bound);
  });

  it('when an export is imported back, then every row is recognised as an existing client', async () => {
    const owner = await makeUser();
    await makeClient(owner, { email: 'x@example.test', fullName: '=1+1' });
    const browser = await signedIn(site.app, owner);
    const exported = await browser.agent.get('/clients/export.csv').buffer(true).expect(200);
    const preview = await upload(browser, exported.text).expect(200);
    expect(preview.text).to.contain('1 skipped: already your client').and.to.contain('Nothing to import');
    expect(preview.text).to.contain('<td>=1+1</td>');
  });

  it('when the user speaks Russian, then the preview and the result are in Russian', async () => {
    const owner = await makeUser();
    await owner.update({ language: 'ru' });
    const browser = await signedIn(site.app, owner);
    const csv = 'email\na@example.test\nb@example.test\nc@example.test\nbad\n';
    const preview = await upload(browser, csv).expect(200);
    expect(preview.text).to.contain('4 строки в файле').and.to.contain('Импортировать 3 клиента');
    expect(preview.text).to.contain('E-mail: Введите корректный адрес e-mail.');
    await browser.post('/clients/import', { csv }).expect(303);
    expect((await browser.agent.get('/clients')).text).to.contain('Импортировано 3 клиента, пропущено: 1.');
  });

  it("when another user's clients share an e-mail, then the import still adds it to the own book", async () => {
    await makeClient(await makeUser(), { email: 'shared@example.test' });
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    await browser.post('/clients/import', { csv: 'email\nshared@example.test\n' }).expect(303);
    expect(await emailsOf(owner)).to.deep.equal(['shared@example.test']);
  });
});
