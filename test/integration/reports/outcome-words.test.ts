import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import type request from 'supertest';
import { Delivery, type Language } from '../../../src/db/models/index.js';
import { pauseRun } from '../../../src/delivery/runs.js';
import { makeClient, makeDelivery, makeMailing, makeRun, makeUser } from '../../support/factories.js';
import { signedIn, testSite, type TestSite } from '../../support/web.js';

const REPLY_550 = '550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown';
const OUTAGE_REPLY = 'connect ECONNREFUSED 127.0.0.1:2525';

/** Collects a binary (CSV) response body as text. */
function asText(req: request.Test): request.Test {
  return req.buffer(true).parse((res, callback) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => callback(null, Buffer.concat(chunks).toString('utf8')));
  });
}

/** An owner speaking the language, with a run whose one delivery the server refused for good (smtp_5xx). */
async function refusedDelivery(language: Language) {
  const owner = await makeUser();
  await owner.update({ language });
  const run = await makeRun(await makeMailing(owner));
  await run.update({ state: 'finished', totalCount: 1, failedCount: 1 });
  const delivery = await makeDelivery(run, await makeClient(owner, { email: 'nobody@example.test' }));
  await delivery.update({
    status: 'failed',
    attemptCount: 1,
    lastAttemptAt: new Date(),
    smtpResponse: REPLY_550,
    errorClass: 'smtp_5xx',
  });
  return { owner, run };
}

describe('words for SMTP outcomes in the report', () => {
  let site: TestSite;
  beforeEach(() => {
    site = testSite();
  });

  const words = {
    en: 'Address does not exist or was refused (5xx reply)',
    ru: 'Адрес не существует или отклонён (ответ 5xx)',
  } as const;
  for (const language of ['en', 'ru'] as const) {
    it(`when a delivery failed with smtp_5xx (${language}), then the log says it in words and keeps the raw reply`, async () => {
      const { owner, run } = await refusedDelivery(language);
      const browser = await signedIn(site.app, owner);

      const page = await browser.agent.get(`/reports/runs/${run.id}`).expect(200);
      expect(page.text).to.contain(`<span>${words[language]}</span>`);
      expect(page.text).to.contain('&lt;nobody@example.test&gt;: Recipient address rejected: User unknown');
      expect(page.text).to.contain('>smtp_5xx</code>');
      const csv = await asText(browser.agent.get(`/reports/runs/${run.id}/export.csv`)).expect(200);
      const rows: string[][] = parse(String(csv.body).slice(1));
      const [header, row] = rows;
      expect(header?.slice(5, 7)).to.deep.equal(
        language === 'ru' ? ['Ответ сервера', 'Причина'] : ['Server reply', 'Reason'],
      );
      expect(row?.slice(5, 7)).to.deep.equal([REPLY_550, words[language]]);
    });
  }

  it('when a class has no words (an old or foreign one), then it is shown as stored', async () => {
    const { owner, run } = await refusedDelivery('ru');
    const browser = await signedIn(site.app, owner);
    await Delivery.update({ errorClass: 'legacy_class' }, { where: { runId: run.id } });

    const page = await browser.agent.get(`/reports/runs/${run.id}`).expect(200);
    expect(page.text).to.contain('<td><code>legacy_class</code></td>');
  });

  it("when a run paused for an outage (ru), then the run's page and the report list say so in Russian, with the reply", async () => {
    const owner = await makeUser();
    await owner.update({ language: 'ru' });
    const mailing = await makeMailing(owner);
    const run = await makeRun(mailing);
    await run.update({ state: 'running' });
    const reason = `SMTP unavailable: ${OUTAGE_REPLY}`;
    await pauseRun(run.id, { kind: 'smtp_unavailable', reason }, new Date(Date.now() + 60_000));
    const browser = await signedIn(site.app, owner);

    const page = await browser.agent.get(`/reports/runs/${run.id}`).expect(200);
    expect(page.text).to.contain('<dt class="col-sm-3">Причина</dt>');
    expect(page.text).to.contain('<span>Почтовый сервер недоступен: запуск продолжится сам</span>');
    expect(page.text).to.contain(
      `<span class="d-block small font-monospace text-body-secondary">${OUTAGE_REPLY}</span>`,
    );
    const list = await browser.agent.get('/reports').expect(200);
    expect(list.text).to.contain('Почтовый сервер недоступен: запуск продолжится сам').and.to.contain(OUTAGE_REPLY);
  });
});
