import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Mailing } from '../../../src/db/models/index.js';
import { startScheduler } from '../../../src/delivery/start-scheduler.js';
import { createLogger } from '../../../src/logger.js';
import { unique } from '../../support/factories.js';
import { deliveryConfig } from '../../support/delivery.js';
import { testDatabase } from '../../support/hooks.js';
import { outboxEmails, testSite, visitor } from '../../support/web.js';

const PASSWORD = 'a-long-unusual-passphrase-42';

describe('a new customer, from sign-up to the report (scheduler and outbox transport, as on `npm start`)', () => {
  it('when they register, verify, add clients, write a message and create a mailing that starts now, then the report shows one row per client with the reply', async function () {
    this.timeout(60_000);
    const site = testSite();
    const config = deliveryConfig(null);
    const stopScheduler = await startScheduler({ sequelize: testDatabase(), config, logger: createLogger('silent') });
    try {
      const email = `${unique('journey')}@example.test`;
      const browser = await visitor(site.app);
      await browser
        .post('/register', {
          email,
          fullName: 'Jo Journey',
          password: PASSWORD,
          passwordConfirmation: PASSWORD,
          timeZone: 'UTC',
        })
        .expect(303);
      const [verification] = await outboxEmails(site);
      const link = /\/verify\/[A-Za-z0-9_-]{20,}/.exec((verification ?? '').replace(/=\r?\n/g, ''))?.[0];
      await browser.agent.get(link ?? '/missing').expect(303);
      await browser.post('/login', { email, password: PASSWORD }).expect(303);
      const csrf = /name="_csrf" value="([^"]+)"/.exec((await browser.agent.get('/clients/new')).text)?.[1] ?? '';
      const post = (url: string, form: Record<string, string | string[]>) =>
        browser.agent
          .post(url)
          .type('form')
          .send({ _csrf: csrf, ...form });

      await post('/clients', { email: 'by-hand@example.test', fullName: 'By Hand', comment: '' }).expect(303);
      const csv = 'email,full_name,comment\nfirst@example.test,First Csv,\nsecond@example.test,Second Csv,vip\n';
      const preview = await browser.agent
        .post('/clients/import/preview')
        .field('_csrf', csrf)
        .attach('file', Buffer.from(csv), 'clients.csv')
        .expect(200);
      expect(preview.text).to.contain('first@example.test');
      await browser.agent.post('/clients/import').field('_csrf', csrf).field('csv', csv).expect(303);

      await post('/messages', {
        subject: 'Hello {{full_name}}',
        bodyText: 'Dear {{full_name}}, news.',
        bodyHtml: '',
      }).expect(303);
      const form = await browser.agent.get('/mailings/new').expect(200);
      const option = /<option value="(\d+)">Hello/.exec(form.text)?.[1] ?? '';
      const startAt = /name="startAt" type="datetime-local" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
      const endAt = /name="endAt" type="datetime-local" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
      const created = await post('/mailings', {
        name: 'First news',
        messageId: option,
        allClients: 'on',
        startAt,
        endAt,
        periodicity: 'once',
        timeZone: 'UTC',
      }).expect(303);
      const detail = created.headers.location as string;

      let progress = '';
      for (let i = 0; i < 100 && !progress.includes('100 %'); i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        progress = (await browser.agent.get(`${detail}/progress`).set('HX-Request', 'true')).text;
      }
      expect(progress).to.contain('100 %').and.to.contain('3 sent, 0 failed, 0 unknown of 3');

      const owner = await Mailing.findOne({ where: { name: 'First news' } });
      expect(await Client.count({ where: { ownerId: owner?.ownerId } })).to.equal(3);
      const report = await browser.agent.get('/reports').expect(200);
      const runId = /\/reports\/runs\/(\d+)/.exec(report.text)?.[1];
      const log = await browser.agent.get(`/reports/runs/${runId}`).expect(200);
      for (const address of ['by-hand@example.test', 'first@example.test', 'second@example.test']) {
        expect(log.text).to.contain(address);
      }
      expect(log.text.match(/250 2\.0\.0 Stored in outbox as/g)).to.have.length(3);
      const sent = readdirSync(config.outboxDir)
        .filter((name) => name.endsWith('.eml'))
        .map((name) => readFileSync(path.join(config.outboxDir, name), 'utf8'))
        .filter((eml) => /^To: .*(by-hand|first|second)@example\.test/m.test(eml));
      expect(sent).to.have.length(3);
      expect(sent.join('\n')).to.contain('Subject: Hello First Csv');
    } finally {
      await stopScheduler();
    }
  });
});
