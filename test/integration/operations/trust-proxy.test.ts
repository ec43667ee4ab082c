import { expect } from 'chai';
import request from 'supertest';
import { SystemMailer } from '../../../src/accounts/system-mail.js';
import { createApp } from '../../../src/app.js';
import type { Config } from '../../../src/config.js';
import { execute } from '../../../src/delivery/sql.js';
import { capturedLogger, type CapturedLogger } from '../../support/captured-logger.js';
import { unique } from '../../support/factories.js';
import { testConfig, testDatabase } from '../../support/hooks.js';
import { scratchFolder } from '../../support/scratch.js';
import { csrfTokenIn } from '../../support/web.js';

interface Site {
  app: ReturnType<typeof createApp>;
  log: CapturedLogger;
}

function site(trustProxy: Config['operations']['trustProxy'], overrides: Partial<Config> = {}): Site {
  const base = testConfig();
  const config: Config = {
    ...base,
    outboxDir: scratchFolder('outbox'),
    mailForms: { addressCooldownSeconds: 0, addressPerHour: 1000, ipPerHour: 2 },
    operations: { ...base.operations, trustProxy },
    ...overrides,
  };
  const log = capturedLogger();
  const systemMailer = new SystemMailer(config, log.logger, testDatabase());
  return { app: createApp({ config, sequelize: testDatabase(), logger: log.logger, systemMailer }), log };
}

/** Posts "forgot password" for a new address four times, each claiming another client address. */
async function sprayFromForgedAddresses(app: Site['app']): Promise<number[]> {
  const agent = request.agent(app);
  const csrf = csrfTokenIn((await agent.get('/password/forgot').expect(200)).text);
  const statuses: number[] = [];
  for (let i = 1; i <= 4; i += 1) {
    const res = await agent
      .post('/password/forgot')
      .set('X-Forwarded-For', `203.0.113.${Math.floor(Math.random() * 200) + i}`)
      .type('form')
      .send({ _csrf: csrf, email: `${unique('spray')}@example.test` });
    statuses.push(res.status);
  }
  return statuses;
}

function requestRecords(log: CapturedLogger, url: string): Record<string, unknown>[] {
  return log.records.filter((record) => record.msg === 'request' && record.url === url);
}

describe('TRUST_PROXY', () => {
  beforeEach(async () => {
    // Every request of the suite comes from one IP address: its count so far belongs to other tests.
    await execute(testDatabase(), "DELETE FROM mail_form_limits WHERE limit_key LIKE 'ip:%'", {});
  });

  it('when no proxy is trusted, then a forged X-Forwarded-For changes nothing: the limit per IP holds', async () => {
    const { app, log } = site(false);
    expect(await sprayFromForgedAddresses(app)).to.deep.equal([303, 303, 429, 429]);
    const ips = requestRecords(log, '/password/forgot').map((record) => record.ip);
    expect(ips.every((ip) => ip === '::ffff:127.0.0.1' || ip === '127.0.0.1')).to.equal(true);
  });

  it('when the proxy on loopback is trusted, then the client address it forwards is the one limited and logged', async () => {
    const { app, log } = site(['loopback']);
    expect(await sprayFromForgedAddresses(app)).to.deep.equal([303, 303, 303, 303]);
    const ips = requestRecords(log, '/password/forgot').map((record) => String(record.ip));
    expect(ips.filter((ip) => ip.startsWith('203.0.113.'))).to.have.length(4);
  });

  it('when one hop is trusted, then the address the proxy appended counts, not one the client put in front', async () => {
    const { app, log } = site(1);
    await request(app).get('/healthz').set('X-Forwarded-For', '198.51.100.7, 192.0.2.44').expect(200);
    expect(requestRecords(log, '/healthz').map((record) => record.ip)).to.deep.equal(['192.0.2.44']);
  });

  it('when a trusted proxy terminates TLS (X-Forwarded-Proto: https), then the secure session cookie is sent', async () => {
    const production = { isProduction: true };
    const trusted = await request(site(['loopback'], production).app)
      .get('/login')
      .set('X-Forwarded-Proto', 'https')
      .expect(200);
    const cookie = (trusted.headers['set-cookie'] as unknown as string[] | undefined)?.join('\n') ?? '';
    expect(cookie).to.match(/mailer\.sid=[^;]+;.*Secure/i);
    const untrusted = await request(site(false, production).app)
      .get('/login')
      .set('X-Forwarded-Proto', 'https')
      .expect(200);
    const none = (untrusted.headers['set-cookie'] as unknown as string[] | undefined)?.join('\n') ?? '';
    expect(none).not.to.include('mailer.sid=');
  });
});
