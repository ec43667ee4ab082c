// A short command (`mailer send` here) tells the other processes what it changed, as a web change does: on
// PostgreSQL its events go out as NOTIFYs through its pool before it exits, and it opens no listening connection.
// This test process stands for a running `serve` and `daemon`: its bridge listens on the suite's database.
import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { siteEvents } from '../../../src/cache/site-events.js';
import { bridgeProcessEvents } from '../../../src/cli/process-events.js';
import type { EventBridge } from '../../../src/db/event-bridge.js';
import { deliveryEvents } from '../../../src/delivery/events.js';
import { createLogger } from '../../../src/logger.js';
import { runCli } from '../../support/cli.js';
import { USING_POSTGRES } from '../../support/database.js';
import { mailingWithClients, senderEnv } from '../../support/delivery.js';
import { testConfig, testDatabase } from '../../support/hooks.js';
import { SmtpTestServer } from '../../support/smtp-test-process.js';

describe('events of short commands (PostgreSQL)', function () {
  this.timeout(60_000);
  let smtp: SmtpTestServer;
  let bridge: EventBridge | null;

  before(async function () {
    if (!USING_POSTGRES) {
      this.skip();
      return;
    }
    smtp = await SmtpTestServer.start('delay 100');
    bridge = await bridgeProcessEvents({
      config: testConfig(),
      logger: createLogger('silent'),
      sequelize: testDatabase(),
    });
  });
  after(async () => {
    await bridge?.close();
    await smtp?.stop();
  });

  it('when `mailer send` starts a run, then a listening process hears run-ready within 1 s and stats-changed, and the command leaves no connection', async () => {
    const { mailing } = await mailingWithClients(6);
    const heard: { event: string; at: number }[] = [];
    const onReady = (): void => void heard.push({ event: 'run-ready', at: performance.now() });
    const onStats = (): void => void heard.push({ event: 'stats-changed', at: performance.now() });
    deliveryEvents.on('run-ready', onReady);
    siteEvents.on('stats-changed', onStats);
    try {
      const sending = runCli(['send', '--mailing', String(mailing.id)], senderEnv(smtp.url, { SMTP_POOL_SIZE: '1' }));
      // The run is created before its first message goes out; its run-ready arrives within 1 s of that.
      let createdAt = 0;
      while (createdAt === 0) {
        const [row] = await testDatabase().query<{ n: number | string }>(
          'SELECT COUNT(*) AS n FROM mailing_runs WHERE mailing_id = :id',
          { replacements: { id: mailing.id }, type: QueryTypes.SELECT },
        );
        if (Number(row?.n) > 0) createdAt = performance.now();
        else await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const deadline = createdAt + 1000;
      while (!heard.some((h) => h.event === 'run-ready') && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(heard.map((h) => h.event)).to.include('run-ready');
      const result = await sending;
      expect(result.code, result.stderr + result.stdout).to.equal(0);
      expect(heard.map((h) => h.event)).to.include('stats-changed');
      const left = await testDatabase().query(
        "SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'mailer events %' AND datname = current_database()",
        { type: QueryTypes.SELECT },
      );
      // Only this test process's own listener: the command opened none (and left none).
      expect(left).to.have.length(1);
    } finally {
      deliveryEvents.off('run-ready', onReady);
      siteEvents.off('stats-changed', onStats);
    }
  });
});
