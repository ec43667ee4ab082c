// Several processes on one PostgreSQL and one Memcached behave as one service: two `mailer serve` (scheduler off)
// and two `mailer daemon` processes, a real SMTP server process. Changes made through one web process reach the
// other's caches and the daemons' schedulers through LISTEN/NOTIFY (the daemons' reconcile is hourly here, so only
// an event can start a run at once); the daemons share runs and one send rate, and survive the loss of one of them.
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import type TestAgent from 'supertest/lib/agent.js';
import { unknownAfterCrashLimit } from '../../../src/delivery/run-pass.js';
import { MEMCACHED_SERVERS, statsOn } from '../../support/cache-sites.js';
import { USING_POSTGRES } from '../../support/database.js';
import { unique } from '../../support/factories.js';
import { busiestWindow, MAY_LOSE_UNDER_LOAD, overallRate } from '../../support/rates.js';
import {
  addClients,
  backOfficeOf,
  metricOf,
  POOL_SIZE,
  RATE_PER_SECOND,
  siteOf,
  startCluster,
  within,
  type Cluster,
  type SitePoster,
  type WebProcess,
} from './cluster.js';

const SENT_2XX = 'mailer_smtp_replies_total{class="2xx"}';

describe('a cluster of two web processes and two daemons on one PostgreSQL', function () {
  this.timeout(60_000);
  let cluster: Cluster;
  /** The admin signed in to each web process's site; the back office of the first. */
  let sites: SitePoster[];
  let office: TestAgent;

  before(async function () {
    this.timeout(120_000);
    // Processes share work and events only on PostgreSQL (SQLite is one writing process, with in-process events),
    // and share computed statistics only through Memcached: without both there is no cluster to test.
    if (!USING_POSTGRES || MEMCACHED_SERVERS.length === 0) {
      this.skip();
      return;
    }
    cluster = await startCluster();
    [sites, office] = await Promise.all([Promise.all(cluster.webs.map(siteOf)), backOfficeOf(web(0))]);
  });
  after(async () => {
    await cluster?.stop();
  });

  const web = (index: number): WebProcess => cluster.webs[index] as WebProcess;

  async function page(at: WebProcess, path: string): Promise<string> {
    const res = await fetch(`${at.base}${path}`);
    expect(res.status).to.equal(200);
    return res.text();
  }

  /** Creates a message and a mailing of it to the clients, starting now, through a web process's site. */
  async function createMailing(at: number, clients: { id: number }[]): Promise<number> {
    const post = sites[at] as SitePoster;
    const message = await post('/messages', {
      subject: unique('Cluster '),
      bodyText: 'Hello {{full_name}}',
      bodyHtml: '',
    });
    expect(message.status, message.text).to.equal(303);
    const now = new Date();
    const mailing = await post('/mailings', {
      name: unique('Cluster mailing '),
      messageId: /\/messages\/(\d+)/.exec(message.headers.location as string)?.[1] ?? '',
      clientIds: clients.map((c) => String(c.id)),
      startAt: now.toISOString().slice(0, 16),
      endAt: new Date(now.getTime() + 24 * 3600_000).toISOString().slice(0, 16),
      periodicity: 'once',
      timeZone: 'UTC',
    });
    expect(mailing.status, mailing.text).to.equal(303);
    return Number(/\/mailings\/(\d+)/.exec(mailing.headers.location as string)?.[1]);
  }

  async function runOf(mailingId: number): Promise<{ id: number; state: string } | undefined> {
    const [run] = await cluster.db.query<{ id: number; state: string }>(
      'SELECT id, state FROM mailing_runs WHERE mailing_id = :mailingId',
      { replacements: { mailingId }, type: QueryTypes.SELECT },
    );
    return run;
  }

  async function statusesOf(runId: number): Promise<Map<string, string>> {
    const rows = await cluster.db.query<{ email: string; status: string }>(
      'SELECT email, status FROM deliveries WHERE run_id = :runId',
      { replacements: { runId }, type: QueryTypes.SELECT },
    );
    return new Map(rows.map((row) => [row.email, row.status]));
  }

  async function untilFinished(mailingId: number): Promise<number> {
    await within(30_000, 'the run finished', async () => (await runOf(mailingId))?.state === 'finished');
    return (await runOf(mailingId))?.id ?? 0;
  }

  /** Copies each address got at the SMTP server. */
  function copiesOf(addresses: string[]): number[] {
    const counts = cluster.smtp.countsByRecipient();
    return addresses.map((address) => counts.get(address) ?? 0);
  }

  it('when a post is published through one web process, then it is on the other’s cached blog page within 1 s', async () => {
    const before = await page(web(1), '/blog');
    // A post written behind the site's back: the other process keeps serving the page it cached.
    const unseen = unique('Unannounced ');
    await cluster.db.query(
      `INSERT INTO posts (title, content, image_alt, view_count, is_published, published_at, created_at, updated_at)
       VALUES (:title, 'text', '', 0, true, now(), now(), now())`,
      { replacements: { title: unseen } },
    );
    expect(await page(web(1), '/blog')).to.equal(before);

    const title = unique('Published through the first ');
    const created = await office
      .post('/admin/api/resources/posts/actions/new')
      .field('title', title)
      .field('content', 'Across processes')
      .field('isPublished', 'true')
      .expect(200);
    expect((created.body as { notice?: { type: string } }).notice?.type, created.text).to.equal('success');
    await within(1000, 'the second web process shows the post', async () =>
      (await page(web(1), '/blog')).includes(title),
    );
    expect(await page(web(1), '/blog')).to.contain(unseen);
  });

  it('when a mailing is created through one web process, then it starts at once, the other web process’s statistics follow it, and the daemons send it once to each', async () => {
    const clients = await addClients(cluster.db, 30);
    const statsBefore = statsOn(await page(web(1), '/'));
    const mailingId = await createMailing(0, clients);
    await within(1000, 'a daemon started the run', async () => (await runOf(mailingId)) !== undefined);
    // The other web process's cached home page follows: the new mailing (written by the first web process), then
    // running and completed (written by a daemon).
    const statsOnSecond = async (): Promise<Record<string, number>> => statsOn(await page(web(1), '/'));
    const { mailings = 0, activeMailings = 0 } = statsBefore;
    await within(1000, 'the other web process counts the mailing, running', async () => {
      const stats = await statsOnSecond();
      return stats.mailings === mailings + 1 && stats.activeMailings === activeMailings + 1;
    });
    const runId = await untilFinished(mailingId);
    const statuses = await statusesOf(runId);
    expect([...statuses.values()]).to.deep.equal(clients.map(() => 'sent'));
    expect(copiesOf(clients.map((c) => c.email))).to.deep.equal(clients.map(() => 1));
    await within(1000, 'the other web process no longer counts it active', async () => {
      const stats = await statsOnSecond();
      return stats.activeMailings === activeMailings;
    });
  });

  it('when both daemons share a run, then together they keep SMTP_RATE_PER_SECOND (within 10 %) and nobody gets two', async () => {
    const clients = await addClients(cluster.db, 100);
    const addresses = new Set(clients.map((c) => c.email));
    const sharesBefore = await Promise.all(cluster.daemons.map((d) => metricOf(d, SENT_2XX)));
    const mailingId = await createMailing(1, clients);
    await untilFinished(mailingId);

    const arrivals = cluster.smtp.received.filter((m) => addresses.has(m.to)).map((m) => m.arrivedAt);
    expect(arrivals).to.have.length(100);
    const measured = overallRate(arrivals);
    expect(measured, `${measured.toFixed(2)} messages/s`).to.be.within(
      RATE_PER_SECOND * MAY_LOSE_UNDER_LOAD,
      RATE_PER_SECOND * 1.1,
    );
    // In any second at most 10 % more, plus one for each SMTP connection (its first message waits for its set-up).
    expect(busiestWindow(arrivals, 1000)).to.be.at.most(RATE_PER_SECOND * 1.1 + 2 * POOL_SIZE);
    expect(copiesOf([...addresses])).to.deep.equal(clients.map(() => 1));
    // Both worked on it: the limit held for the two together, not for each.
    const shares = await Promise.all(
      cluster.daemons.map(async (d, i) => (await metricOf(d, SENT_2XX)) - (sharesBefore[i] ?? 0)),
    );
    for (const share of shares) expect(share, `shares ${shares.join(' + ')}`).to.be.at.least(100 / 5);
    expect(shares.reduce((sum, share) => sum + share, 0)).to.equal(100);
  });

  it('when one daemon is killed with -9 mid-run, then the other finishes it: nothing left waiting, nobody twice, unknown at most what the dead one had on the wire', async () => {
    const clients = await addClients(cluster.db, 80);
    const addresses = clients.map((c) => c.email);
    const ours = new Set(addresses);
    const mailingId = await createMailing(0, clients);
    await within(10_000, 'the run is under way', async () =>
      Promise.resolve(cluster.smtp.received.filter((m) => ours.has(m.to)).length >= 15),
    );
    const [victim] = cluster.daemons;
    const exited = new Promise((resolve) => victim?.child.once('exit', resolve));
    victim?.child.kill('SIGKILL');
    await exited;

    const runId = await untilFinished(mailingId);
    const statuses = await statusesOf(runId);
    const waiting = [...statuses.values()].filter((status) => !['sent', 'failed', 'unknown'].includes(status));
    expect(waiting, 'deliveries not final').to.deep.equal([]);
    const unknown = [...statuses].filter(([, status]) => status === 'unknown').map(([email]) => email);
    expect(unknown.length).to.be.at.most(unknownAfterCrashLimit({ poolSize: POOL_SIZE }));
    const counts = cluster.smtp.countsByRecipient();
    for (const address of addresses) {
      if (statuses.get(address) === 'sent') expect(counts.get(address), address).to.equal(1);
      else expect(counts.get(address) ?? 0, address).to.be.at.most(1);
    }
    expect([...statuses.values()].filter((status) => status === 'failed')).to.deep.equal([]);
  });
});
