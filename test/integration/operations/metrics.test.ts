import net from 'node:net';
import { expect } from 'chai';
import request from 'supertest';
import type { Config } from '../../../src/config.js';
import { startRunNow } from '../../../src/delivery/mailing-lifecycle.js';
import { MailingRun } from '../../../src/db/models/index.js';
import { exitCodeOf, startCli } from '../../support/cli.js';
import { continueRun, deliveryConfig, mailingWithClients, senderEnv } from '../../support/delivery.js';
import { testDatabase } from '../../support/hooks.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';
import { signedIn, testSite } from '../../support/web.js';

const TOKEN = 'metrics-token-for-the-tests-0123';

/** The value of one sample in a Prometheus text exposition, or undefined when the series has no such sample. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const given = new Map(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    if (Object.entries(labels).every(([key, value]) => given.get(key) === value)) return Number(match[3]);
  }
  return undefined;
}

function withMetrics(config: Config, operations: Partial<Config['operations']> = {}): Partial<Config> {
  return { ...config, operations: { ...config.operations, metricsToken: TOKEN, ...operations } };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

describe('GET /metrics', function () {
  this.timeout(60_000);
  let smtp: SmtpTestServer;
  before(async () => {
    smtp = await SmtpTestServer.start('delay 250');
  });
  after(async () => {
    await smtp.stop();
  });

  it('when neither METRICS_TOKEN nor METRICS_PORT is set, then there is no /metrics (404)', async () => {
    await request(testSite().app).get('/metrics').expect(404);
  });

  it('when METRICS_TOKEN is set, then a request without it or with another is refused (401)', async () => {
    const { app } = testSite(withMetrics(deliveryConfig(smtp.url)));
    const bare = await request(app).get('/metrics').expect(401);
    expect(bare.headers['www-authenticate']).to.match(/^Bearer/);
    await request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}x`).expect(401);
    await request(app).get('/metrics').set('Authorization', TOKEN).expect(401);
    const ok = await request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(ok.headers['content-type']).to.match(/^text\/plain; version=0\.0\.4/);
  });

  it('when a run is sending, then a scrape shows deliveries by status, its queue depth, start lag, SMTP replies, HTTP latency per route and event-loop lag', async () => {
    const config = deliveryConfig(smtp.url, { poolSize: 1, batchSize: 2 });
    const { app } = testSite(withMetrics(config));
    const scrape = async (): Promise<string> =>
      (await request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200)).text;
    const { owner, mailing } = await mailingWithClients(8);
    const browser = await signedIn(app, owner);
    await browser.agent.get(`/mailings/${mailing.id}`).expect(200);
    const before = await scrape();
    const repliesBefore = sample(before, 'mailer_smtp_replies_total', { class: '2xx' }) ?? 0;
    const lagsBefore = sample(before, 'mailer_run_start_lag_seconds_count') ?? 0;

    const run = await startRunNow(testDatabase(), mailing.id);
    const sending = continueRun(config, run.id);
    const received = smtp.received.length;
    while (smtp.received.length < received + 2) await new Promise((resolve) => setTimeout(resolve, 50));
    const during = await scrape();
    const receivedDuring = smtp.received.length - received;
    await sending;
    // Every series is there mid-run, with the run's own values: it started once, and each reply counted so far
    // is one the server had received by then.
    expect(sample(during, 'mailer_run_start_lag_seconds_count')).to.equal(lagsBefore + 1);
    const repliesDuring = (sample(during, 'mailer_smtp_replies_total', { class: '2xx' }) ?? 0) - repliesBefore;
    expect(repliesDuring).to.be.within(1, receivedDuring);
    expect(sample(during, 'mailer_smtp_reply_seconds_count', { class: '2xx' })).to.be.a('number');
    expect(sample(during, 'mailer_outage_pauses_total')).to.be.a('number');
    expect(
      sample(during, 'mailer_http_request_duration_seconds_count', { route: '/mailings/:id', status: '200' }),
    ).to.be.at.least(1);
    expect(sample(during, 'nodejs_eventloop_lag_seconds')).to.be.at.least(0);
    const after = await scrape();

    expect(sample(during, 'mailer_run_queue_depth', { run_id: String(run.id) })).to.be.within(1, 6);
    expect(
      (sample(during, 'mailer_deliveries', { status: 'pending' }) ?? 0) +
        (sample(during, 'mailer_deliveries', { status: 'sending' }) ?? 0),
    ).to.be.at.least(1);
    expect(sample(after, 'mailer_run_queue_depth', { run_id: String(run.id) })).to.equal(undefined);
    const finished = await MailingRun.findByPk(run.id, { rejectOnEmpty: true });
    expect(finished.sentCount).to.equal(8);
    expect(sample(after, 'mailer_deliveries', { status: 'sent' })).to.be.at.least(8);
    expect(sample(after, 'mailer_run_start_lag_seconds_count')).to.equal(lagsBefore + 1);
    expect(sample(after, 'mailer_smtp_replies_total', { class: '2xx' })).to.equal(repliesBefore + 8);
    // Each reply took the server's 250 ms delay: none of the eight is in the 0.1 s bucket.
    const bucket = (text: string, le: string): number =>
      sample(text, 'mailer_smtp_reply_seconds_bucket', { class: '2xx', le }) ?? 0;
    expect(bucket(after, '+Inf') - bucket(before, '+Inf')).to.equal(8);
    expect(bucket(after, '0.1') - bucket(before, '0.1')).to.equal(0);
    expect(
      sample(after, 'mailer_http_request_duration_seconds_count', { route: '/mailings/:id', status: '200' }),
    ).to.be.at.least(1);
    expect(after).not.to.include(`route="/mailings/${mailing.id}"`);
    expect(sample(after, 'nodejs_eventloop_lag_seconds')).to.be.a('number');
    expect(sample(after, 'mailer_outage_pauses_total')).to.be.a('number');
  });

  it('when a run pauses for an SMTP outage, then the outage counter goes up and the replies count the failure class', async () => {
    const down = await SmtpTestServer.start('drop');
    try {
      const config = deliveryConfig(down.url, { poolSize: 1, outageThreshold: 2, outagePauseMs: 60_000 });
      const { app } = testSite(withMetrics(config));
      const scrape = async (): Promise<string> =>
        (await request(app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200)).text;
      const pausesBefore = sample(await scrape(), 'mailer_outage_pauses_total') ?? 0;
      const { mailing } = await mailingWithClients(3);
      const run = await startRunNow(testDatabase(), mailing.id);
      const result = await continueRun(config, run.id, 5_000);
      expect(result.run.state).to.equal('paused');
      const after = await scrape();
      expect(sample(after, 'mailer_outage_pauses_total')).to.equal(pausesBefore + 1);
      expect(sample(after, 'mailer_smtp_replies_total', { class: 'connection' })).to.be.at.least(2);
    } finally {
      await down.stop();
    }
  });

  it('when the daemon runs with METRICS_PORT, then its own /metrics answers there and the site port is not needed', async () => {
    const port = await freePort();
    const daemon = await startCli(
      ['daemon'],
      senderEnv(smtp.url, { METRICS_PORT: String(port), METRICS_TOKEN: TOKEN }),
      /Mailer daemon is running/,
    );
    try {
      const url = `http://127.0.0.1:${port}/metrics`;
      expect((await fetch(url)).status).to.equal(401);
      const res = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(res.status).to.equal(200);
      const text = await res.text();
      expect(sample(text, 'mailer_deliveries', { status: 'sent' })).to.be.a('number');
      expect(sample(text, 'nodejs_eventloop_lag_seconds')).to.be.a('number');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).to.equal(404);
    } finally {
      daemon.child.kill('SIGTERM');
      expect(await exitCodeOf(daemon.child)).to.equal(0);
    }
  });
});
