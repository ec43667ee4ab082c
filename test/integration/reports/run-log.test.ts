import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import type request from 'supertest';
import { Delivery, type DeliveryStatus, type MailingRun, type User } from '../../../src/db/models/index.js';
import { deliveryChunks, findRun } from '../../../src/reports/reports.service.js';
import { makeClient, makeDelivery, makeMailing, makeRun, makeUser } from '../../support/factories.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

/** A delivery of the run to a new client of the owner, with the given outcome. */
async function attempted(
  owner: User,
  run: MailingRun,
  attrs: Partial<{
    status: DeliveryStatus;
    lastAttemptAt: Date | null;
    email: string;
    fullName: string;
    smtpResponse: string | null;
    errorClass: string | null;
    attemptCount: number;
  }> = {},
): Promise<Delivery> {
  const client = await makeClient(owner, {
    ...(attrs.email ? { email: attrs.email } : {}),
    fullName: attrs.fullName ?? 'Test Client',
  });
  const delivery = await makeDelivery(run, client);
  return delivery.update({
    status: attrs.status ?? 'sent',
    lastAttemptAt: attrs.lastAttemptAt === undefined ? new Date('2026-03-01T09:01:00Z') : attrs.lastAttemptAt,
    attemptCount: attrs.attemptCount ?? 1,
    smtpResponse: attrs.smtpResponse === undefined ? '250 2.0.0 OK queued' : attrs.smtpResponse,
    errorClass: attrs.errorClass ?? null,
  });
}

/** Collects a binary (CSV) response body as text. */
function asText(req: request.Test): request.Test {
  return req.buffer(true).parse((res, callback) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => callback(null, Buffer.concat(chunks).toString('utf8')));
  });
}

function csvRows(body: unknown): string[][] {
  const text = String(body);
  expect(text.startsWith('\uFEFF'), 'UTF-8 byte-order mark').to.equal(true);
  return parse(text.slice(1));
}

/** The recipients' e-mails listed on a run log page, in order. */
function listedEmails(html: string): string[] {
  return [...html.matchAll(/<td>([^<]+@example\.test)<\/td>/g)].map((match) => match[1] ?? '');
}

describe('run log and CSV exports', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  it("when a run's log is opened, then each recipient shows status, attempts, last attempt and the full reply", async () => {
    const owner = await makeUser();
    await owner.update({ timeZone: 'Europe/Berlin' });
    const mailing = await makeMailing(owner);
    const run = await makeRun(mailing, new Date('2026-03-10T08:00:00Z'));
    await run.update({ state: 'finished', totalCount: 2, sentCount: 1, failedCount: 1 });
    const reply =
      '550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking '.repeat(3);
    await attempted(owner, run, {
      email: 'ada@example.test',
      fullName: 'Ada Lovelace',
      status: 'failed',
      lastAttemptAt: new Date('2026-03-10T23:30:00Z'),
      attemptCount: 3,
      smtpResponse: reply,
      errorClass: 'smtp_5xx',
    });
    await attempted(owner, run, { email: 'bob@example.test', fullName: 'Bob' });
    const browser = await signedIn(site.app, owner);

    const res = await browser.agent.get(`/reports/runs/${run.id}`).expect(200);
    expect(res.text).to.contain(`Run log: ${mailing.name}`).and.to.contain(`href="/mailings/${mailing.id}"`);
    expect(res.text).to.contain('1 sent, 1 failed, 0 unknown of 2');
    expect(listedEmails(res.text)).to.deep.equal(['ada@example.test', 'bob@example.test']);
    expect(res.text).to.contain('Ada Lovelace').and.to.contain('<span class="badge text-bg-danger">Failed</span>');
    expect(res.text).to.contain('<td class="text-end">3</td>');
    expect(res.text).to.contain('<td>2026-03-11 00:30:00 UTC+01:00</td>'); // 23:30 UTC in Berlin, with seconds
    expect(res.text).to.contain(`<td class="reply">${reply}</td>`);
    expect(res.text).to.contain('<span>Address does not exist or was refused (5xx reply)</span>');
    expect(res.text).to.contain('<code class="d-block small text-body-secondary">smtp_5xx</code>');
    expect(res.text).to.contain('href="/reports/runs/' + run.id + '/export.csv"');
  });

  it('when filtered by delivery status, then only those recipients are listed (page and htmx)', async () => {
    const owner = await makeUser();
    const run = await makeRun(await makeMailing(owner));
    await attempted(owner, run, { email: 'sent1@example.test', status: 'sent' });
    await attempted(owner, run, { email: 'failed1@example.test', status: 'failed' });
    await attempted(owner, run, { email: 'sent2@example.test', status: 'sent' });
    const browser = await signedIn(site.app, owner);

    const sent = await browser.agent.get(`/reports/runs/${run.id}?status=sent`).expect(200);
    expect(listedEmails(sent.text)).to.deep.equal(['sent1@example.test', 'sent2@example.test']);
    expect(sent.text).to.contain(`href="/reports/runs/${run.id}/export.csv?status=sent"`);
    const fragment = await browser.agent
      .get(`/reports/runs/${run.id}?status=failed`)
      .set('HX-Request', 'true')
      .expect(200);
    expect(fragment.text).not.to.contain('<html');
    expect(listedEmails(fragment.text)).to.deep.equal(['failed1@example.test']);
    expect(fragment.text).to.match(/<form[^>]*id="run-log-filters"[^>]*hx-swap-oob="true"/);
    const none = await browser.agent.get(`/reports/runs/${run.id}?status=unknown`).expect(200);
    expect(none.text).to.contain('No recipient of this run has the status “Unknown”');
    expect(none.text).to.contain(`href="/reports/runs/${run.id}"`);
  });

  it('when the status filter is invalid, then the field shows an error with 422, never a 500', async () => {
    const owner = await makeUser();
    const run = await makeRun(await makeMailing(owner));
    const browser = await signedIn(site.app, owner);
    for (const query of ['status=exploded', 'status=sent&status=failed']) {
      const res = await browser.agent.get(`/reports/runs/${run.id}?${query}`).expect(422);
      expect(res.text).to.contain('id="field-status-error"');
      const fragment = await browser.agent.get(`/reports/runs/${run.id}?${query}`).set('HX-Request', 'true');
      expect(fragment.status).to.equal(422);
      expect(fragment.text).to.contain('id="field-status-error"').and.not.to.contain('<html');
      await browser.agent.get(`/reports/runs/${run.id}/export.csv?${query}`).expect(422);
    }
  });

  it('when a run has more recipients than a page, then the pager keeps the status filter', async () => {
    const owner = await makeUser();
    const run = await makeRun(await makeMailing(owner));
    for (let i = 0; i < 27; i += 1) await attempted(owner, run, { status: i === 26 ? 'failed' : 'sent' });
    const browser = await signedIn(site.app, owner);
    const first = await browser.agent.get(`/reports/runs/${run.id}?status=sent`).expect(200);
    expect(listedEmails(first.text)).to.have.length(25);
    expect(first.text).to.contain(`href="/reports/runs/${run.id}?status=sent&amp;page=2"`);
    const second = await browser.agent.get(`/reports/runs/${run.id}?status=sent&page=2`).expect(200);
    expect(listedEmails(second.text)).to.have.length(1);
  });

  it("when another user's run id is used, then every run route answers 404", async () => {
    const other = await makeUser();
    const run = await makeRun(await makeMailing(other));
    await attempted(other, run, { smtpResponse: '250 secret reply' });
    const browser = await signedIn(site.app, await makeUser());
    for (const path of ['', '?status=sent', '/export.csv', '/export.csv?status=sent']) {
      const res = await browser.agent.get(`/reports/runs/${run.id}${path}`).expect(404);
      expect(res.text).not.to.contain('secret reply');
    }
    await browser.agent.get('/reports/runs/abc').expect(404);
    await browser.agent.get('/reports/runs/0/export.csv').expect(404);
  });

  it('when the runs are exported, then the CSV has one row per filtered run, guarded against formulas', async () => {
    const owner = await makeUser();
    const mailing = await makeMailing(owner);
    await mailing.update({ name: '=HYPERLINK("http://evil.test","x")' });
    const other = await makeMailing(owner);
    const run = await makeRun(mailing, new Date('2026-03-02T09:00:00Z'));
    await run.update({ state: 'finished', totalCount: 2, sentCount: 1, failedCount: 1 });
    await attempted(owner, run, { lastAttemptAt: new Date('2026-03-02T09:07:00Z') });
    await makeRun(mailing, new Date('2026-03-01T09:00:00Z'));
    await makeRun(other, new Date('2026-03-03T09:00:00Z'));
    await makeRun(await makeMailing(await makeUser()), new Date('2026-03-02T10:00:00Z'));
    const browser = await signedIn(site.app, owner);

    const res = await asText(browser.agent.get(`/reports/export.csv?mailing=${mailing.id}`)).expect(200);
    expect(res.headers['content-type']).to.match(/^text\/csv/);
    expect(res.headers['content-disposition']).to.match(/^attachment; filename="?report-\d{4}-\d{2}-\d{2}\.csv"?$/);
    const rows = csvRows(res.body);
    expect(rows[0]).to.deep.equal([
      'Run',
      'Mailing',
      'Scheduled at',
      'State',
      'Total',
      'Sent',
      'Failed',
      'Unknown',
      'Hard bounces',
      'Complaints',
      'Last attempt',
    ]);
    expect(rows.slice(1)).to.deep.equal([
      [
        '1',
        `'${mailing.name}`,
        '2026-03-02T09:00:00Z',
        'Finished',
        '2',
        '1',
        '1',
        '0',
        '0',
        '0',
        '2026-03-02T09:07:00Z',
      ],
      ['2', `'${mailing.name}`, '2026-03-01T09:00:00Z', 'Waiting', '0', '0', '0', '0', '0', '0', ''],
    ]);
    const all = await asText(browser.agent.get('/reports/export.csv')).expect(200);
    expect(csvRows(all.body)).to.have.length(4); // header + the owner's three runs, not the other user's
  });

  it("when a run's log is exported, then every delivery is a row with its full reply, guarded against formulas", async () => {
    const owner = await makeUser();
    await owner.update({ timeZone: 'Europe/Berlin', language: 'ru' });
    const run = await makeRun(await makeMailing(owner));
    const reply = '550 5.7.1 <script>alert(1)</script>\n"quoted", with commas';
    await attempted(owner, run, {
      email: 'a@example.test',
      fullName: '@SUM(1+1)',
      status: 'failed',
      smtpResponse: reply,
      errorClass: 'smtp_5xx',
      lastAttemptAt: new Date('2026-03-10T23:30:00Z'),
      attemptCount: 2,
    });
    await attempted(owner, run, { email: 'b@example.test', fullName: '+cmd|calc', smtpResponse: '-250 ok' });
    const browser = await signedIn(site.app, owner);

    const res = await asText(browser.agent.get(`/reports/runs/${run.id}/export.csv`)).expect(200);
    expect(res.headers['content-disposition']).to.match(new RegExp(`^attachment; filename="?run-${run.id}\\.csv"?$`));
    const rows = csvRows(res.body);
    expect(rows[0]?.[0]).to.equal('E-mail');
    expect(rows[0]).to.include('Ответ сервера');
    expect(rows[1]).to.deep.equal([
      'a@example.test',
      "'@SUM(1+1)",
      'Ошибка',
      '2',
      '2026-03-11T00:30:00+01:00',
      reply,
      'Адрес не существует или отклонён (ответ 5xx)',
      '',
    ]);
    expect(rows[2]?.slice(0, 3)).to.deep.equal(['b@example.test', "'+cmd|calc", 'Отправлено']);
    expect(rows[2]?.[5]).to.equal("'-250 ok");
    const failed = await asText(browser.agent.get(`/reports/runs/${run.id}/export.csv?status=failed`)).expect(200);
    expect(csvRows(failed.body).map((row) => row[0])).to.deep.equal(['E-mail', 'a@example.test']);
  });

  it('when a run has more deliveries than one chunk, then the export pages through all of them by id', async () => {
    const owner = await makeUser();
    const run = await makeRun(await makeMailing(owner));
    await Delivery.bulkCreate(
      Array.from({ length: 1_001 }, (_, i) => ({
        runId: run.id,
        clientId: null,
        email: `r${String(i).padStart(4, '0')}@example.test`,
        status: 'sent' as const,
      })),
    );
    const browser = await signedIn(site.app, owner);
    const res = await asText(browser.agent.get(`/reports/runs/${run.id}/export.csv`)).expect(200);
    const emails = csvRows(res.body)
      .slice(1)
      .map((row) => row[0]);
    expect(emails).to.have.length(1_001);
    expect(emails[0]).to.equal('r0000@example.test');
    expect(emails[1_000]).to.equal('r1000@example.test');

    const chunks: number[] = [];
    for await (const chunk of deliveryChunks(await findRun(owner, run.id), null, 400)) chunks.push(chunk.length);
    expect(chunks).to.deep.equal([400, 400, 201]);
  });
});
