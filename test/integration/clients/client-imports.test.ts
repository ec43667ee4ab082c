import { readdirSync } from 'node:fs';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { importFolder } from '../../../src/clients/client-imports.routes.js';
import { IMPORT_INSERT_ROWS } from '../../../src/clients/client-import-job.js';
import { Client, ClientImport, type User } from '../../../src/db/models/index.js';
import { makeClient, makeUser } from '../../support/factories.js';
import { testConfig } from '../../support/hooks.js';
import { signedIn, testSite, type Browser, type TestSite } from '../../support/web.js';

function startImport(browser: Browser, csv: string) {
  return browser.agent
    .post('/clients/imports')
    .field('_csrf', browser.csrf)
    .attach('file', Buffer.from(csv), 'clients.csv');
}

// Polls the progress fragment as htmx does until the import is over; returns the last fragment.
async function pollUntilDone(browser: Browser, url: string): Promise<string> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const res = await browser.agent.get(url).set('HX-Request', 'true').expect(200);
    if (!res.text.includes('hx-trigger="every 1s"')) return res.text;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the import at ${url} did not finish`);
}

function countOf(owner: User): Promise<number> {
  return Client.count({ where: { ownerId: owner.id } });
}

describe('background clients import', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it('when a file bigger than the preview allows is uploaded, then it is imported in the background with its counts and the skipped rows downloadable', async () => {
    const owner = await makeUser();
    await makeClient(owner, { email: 'known@example.test' });
    const browser = await signedIn(site.app, owner);
    const good = Array.from({ length: 6000 }, (_, i) => `person${i}@example.test,Person ${i},`);
    const csv = [
      'email,full_name,comment',
      ...good,
      'not-an-email,Broken,',
      'PERSON1@example.test,Twin,',
      'known@example.test,Known,',
    ].join('\n');
    const res = await startImport(browser, csv).expect(303);
    const url = res.headers.location as string;
    expect(url).to.match(/^\/clients\/imports\/\d+$/);
    const page = await browser.agent.get(url).expect(200);
    expect(page.text).to.contain('Importing clients').and.to.contain('<progress');
    const done = await pollUntilDone(browser, url);
    expect(done).to.contain('The import is finished.').and.to.contain('6,000 clients imported');
    expect(done).to.contain('6,003 rows read').and.to.contain('1 skipped: with errors');
    expect(done).to.contain('1 skipped: repeated in the file').and.to.contain('1 skipped: already your client');
    expect(await countOf(owner)).to.equal(6001);
    const stored = await Client.findOne({ where: { ownerId: owner.id, email: 'person42@example.test' } });
    expect(stored?.fullName).to.equal('Person 42');
    expect(stored?.searchText).to.contain('person 42');
    const report = await browser.agent.get(`${url}/errors.csv`).expect(200);
    expect(report.headers['content-type']).to.match(/^text\/csv/);
    const rows: string[][] = parse(report.text.replace(/^\uFEFF/, ''));
    expect(rows).to.deep.equal([
      ['row', 'email', 'reason'],
      ['6002', 'not-an-email', 'E-mail: Enter a valid e-mail address.'],
      ['6003', 'PERSON1@example.test', 'repeated in the file'],
      ['6004', 'known@example.test', 'already your client'],
    ]);
    expect(readdirSync(importFolder(testConfig().uploadDir))).to.deep.equal([]);
  });

  it('when the file breaks half-way, then nothing of it is kept and the page says why', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    const good = Array.from({ length: IMPORT_INSERT_ROWS * 2 + 10 }, (_, i) => `p${i}@example.test,P,`);
    const csv = ['email,name', ...good, '"unclosed@example.test,Broken'].join('\n');
    const url = (await startImport(browser, csv).expect(303)).headers.location as string;
    const done = await pollUntilDone(browser, url);
    expect(done).to.contain('The import failed.').and.to.contain('Nothing from this file was saved.');
    expect(done).to.contain('cannot be read as CSV');
    expect(await countOf(owner)).to.equal(0);
    const job = await ClientImport.findOne({ where: { ownerId: owner.id } });
    expect(job?.status).to.equal('failed');
    expect(job?.filePath).to.equal(null);
    await browser.agent.get(`${url}/errors.csv`).expect(404);
  });

  it('when a file has no email column, or none is chosen, then it is refused', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    const url = (await startImport(browser, 'name,comment\nAda,hi\n').expect(303)).headers.location as string;
    expect(await pollUntilDone(browser, url)).to.contain('one of them must be email');
    const empty = await browser.agent.post('/clients/imports').field('_csrf', browser.csrf).expect(422);
    expect(empty.text).to.contain('name="file"');
  });

  it("when someone else's import is asked for, then it is a 404, its errors too", async () => {
    const owner = await makeUser();
    const url = (await startImport(await signedIn(site.app, owner), 'email\na@example.test\nbad\n').expect(303)).headers
      .location as string;
    await pollUntilDone(await signedIn(site.app, owner), url);
    const stranger = await signedIn(site.app, await makeUser());
    await stranger.agent.get(url).expect(404);
    await stranger.agent.get(`${url}/errors.csv`).expect(404);
  });

  it('when the upload has no CSRF token, then it is refused and nothing is queued', async () => {
    const owner = await makeUser();
    const browser = await signedIn(site.app, owner);
    await browser.agent
      .post('/clients/imports')
      .attach('file', Buffer.from('email\na@example.test\n'), 'c.csv')
      .expect(403);
    expect(await ClientImport.count({ where: { ownerId: owner.id } })).to.equal(0);
  });

  it('when the page is shown in Russian, then the counts use the right plural forms', async () => {
    const owner = await makeUser();
    await owner.update({ language: 'ru' });
    const browser = await signedIn(site.app, owner);
    const csv = ['email', 'a@example.test', 'b@example.test', 'bad'].join('\n');
    const url = (await startImport(browser, csv).expect(303)).headers.location as string;
    const done = await pollUntilDone(browser, url);
    expect(done).to.contain('Импортированы 2 клиента').and.to.contain('1 пропущена: с ошибками');
  });
});
