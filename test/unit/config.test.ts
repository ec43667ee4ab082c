import { expect } from 'chai';
import path from 'node:path';
import { ConfigError, loadConfig, parseDatabaseUrl } from '../../src/config.js';

const ROOT = '/srv/mailer';

function errorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, ROOT);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be rejected`);
}

describe('config', () => {
  it('when nothing is set, then every variable has a safe development default', () => {
    const config = loadConfig({}, ROOT);
    expect(config.nodeEnv).to.equal('development');
    expect(config.database).to.deep.equal({
      dialect: 'sqlite',
      storage: path.join(ROOT, 'var/mailer.sqlite'),
      url: 'sqlite:var/mailer.sqlite',
    });
    expect(config.port).to.equal(3000);
    expect(config.appUrl).to.equal('http://localhost:3000');
    expect(config.memcachedServers).to.deep.equal([]);
    expect(config.smtpUrl).to.equal(null);
    expect(config.outboxDir).to.equal(path.join(ROOT, 'var/outbox'));
    expect(config.uploadDir).to.equal(path.join(ROOT, 'var/uploads'));
    expect(config.timeZone).to.equal('UTC');
    expect(config.schedulerEnabled).to.equal(true);
    expect(config.sessionSecret).to.have.length.greaterThan(20);
    expect(config.loginLimits).to.deep.equal({ perAccount: 5, perIp: 30, windowSeconds: 900 });
    expect(config.clientImportStaleSeconds).to.equal(60);
  });

  it('when CLIENT_IMPORT_STALE_SECONDS is given, then a running import is taken as dead after that long', () => {
    expect(loadConfig({ CLIENT_IMPORT_STALE_SECONDS: '5' }, ROOT).clientImportStaleSeconds).to.equal(5);
  });

  it('when the login limits are given, then they are the limits', () => {
    const env = { LOGIN_FAILURES_PER_ACCOUNT: '3', LOGIN_FAILURES_PER_IP: '300', LOGIN_FAILURE_WINDOW_SECONDS: '60' };
    expect(loadConfig(env, ROOT).loginLimits).to.deep.equal({ perAccount: 3, perIp: 300, windowSeconds: 60 });
  });

  it('when values are given, then they are parsed into the typed config', () => {
    const config = loadConfig(
      {
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/mailer',
        PORT: '8080',
        APP_URL: 'https://mail.example.com/',
        MEMCACHED_SERVERS: '127.0.0.1:11211,cache:11212',
        SMTP_URL: 'smtps://user:pass@smtp.example.com:465',
        TIME_ZONE: 'Europe/Berlin',
        SCHEDULER: 'off',
      },
      ROOT,
    );
    expect(config.database).to.deep.equal({ dialect: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/mailer' });
    expect(config.port).to.equal(8080);
    expect(config.appUrl).to.equal('https://mail.example.com');
    expect(config.memcachedServers).to.deep.equal(['127.0.0.1:11211', 'cache:11212']);
    expect(config.smtpUrl).to.equal('smtps://user:pass@smtp.example.com:465');
    expect(config.timeZone).to.equal('Europe/Berlin');
    expect(config.schedulerEnabled).to.equal(false);
  });

  const badValues: [string, string][] = [
    ['DATABASE_URL', 'nonsense'],
    ['DATABASE_URL', 'mysql://root@localhost/db'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['APP_URL', 'localhost:3000'],
    ['MEMCACHED_SERVERS', '127.0.0.1'],
    ['SMTP_URL', 'http://smtp.example.com'],
    ['MAIL_FROM', 'not an address'],
    ['TIME_ZONE', 'Mars/Olympus_Mons'],
    ['SCHEDULER', 'sometimes'],
    ['NODE_ENV', 'staging'],
    ['LOG_LEVEL', 'loud'],
    ['SES_SNS_TOPIC_ARNS', 'arn:aws:sqs:eu-west-1:123456789012:queue'],
    ['SES_SNS_TOPIC_ARNS', 'arn:aws:sns:eu-west-1:123:topic'],
    ['LOGIN_FAILURES_PER_ACCOUNT', '0'],
    ['LOGIN_FAILURE_WINDOW_SECONDS', 'forever'],
    ['CLIENT_IMPORT_STALE_SECONDS', '1'],
    ['CLIENT_IMPORT_STALE_SECONDS', 'soon'],
  ];
  for (const [variable, value] of badValues) {
    it(`when ${variable}=${value}, then start-up fails with one line naming ${variable}`, () => {
      const error = errorFor({ [variable]: value });
      expect(error.variable).to.equal(variable);
      expect(error.message).to.match(new RegExp(`^invalid configuration: ${variable} `));
      expect(error.message).to.contain(value);
      expect(error.message).not.to.contain('\n');
    });
  }

  it('when NODE_ENV=production and SESSION_SECRET is missing or short, then start-up fails naming it', () => {
    expect(errorFor({ NODE_ENV: 'production' }).variable).to.equal('SESSION_SECRET');
    expect(errorFor({ NODE_ENV: 'production', SESSION_SECRET: 'short' }).variable).to.equal('SESSION_SECRET');
    const config = loadConfig(
      { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), DKIM_KEY_SECRET: 'k'.repeat(32) },
      ROOT,
    );
    expect(config.isProduction).to.equal(true);
  });

  it('when the webhook variables are set, then each webhook is on; a short signing key fails without being echoed', () => {
    expect(loadConfig({}, ROOT).bounces).to.deep.include({ snsTopics: [], mailgunSigningKey: null });
    const topics = 'arn:aws:sns:eu-west-1:123456789012:feedback,arn:aws-cn:sns:cn-north-1:123456789012:b.fifo';
    const config = loadConfig({ SES_SNS_TOPIC_ARNS: topics, MAILGUN_WEBHOOK_SIGNING_KEY: 'k'.repeat(32) }, ROOT);
    expect(config.bounces.snsTopics).to.deep.equal(topics.split(','));
    expect(config.bounces.mailgunSigningKey).to.equal('k'.repeat(32));
    const error = errorFor({ MAILGUN_WEBHOOK_SIGNING_KEY: 'short-secret' });
    expect(error.variable).to.equal('MAILGUN_WEBHOOK_SIGNING_KEY');
    expect(error.message).not.to.contain('short-secret');
  });

  it('when DATABASE_URL names a relative SQLite file, then it is resolved against the project root', () => {
    expect(parseDatabaseUrl('sqlite:data/app.db', ROOT)).to.deep.include({
      dialect: 'sqlite',
      storage: path.join(ROOT, 'data/app.db'),
    });
    expect(parseDatabaseUrl('sqlite:///tmp/app.db', ROOT)).to.deep.include({ storage: '/tmp/app.db' });
    expect(parseDatabaseUrl('sqlite::memory:', ROOT)).to.deep.include({ storage: ':memory:' });
  });

  it('when the pause rates are given, then they are read; a rate past 1 or no minimum fails naming the variable', () => {
    const rates = { pauseBounceRate: 0.05, minSample: 100, pauseComplaintRate: 0.003, complaintMinSample: 1000 };
    expect(loadConfig({}, ROOT).bounces).to.deep.include(rates);
    const env = { COMPLAINT_PAUSE_RATE: '0.001', COMPLAINT_PAUSE_MIN_DELIVERIES: '5000', BOUNCE_PAUSE_RATE: '0.02' };
    expect(loadConfig(env, ROOT).bounces).to.deep.include({ pauseComplaintRate: 0.001, complaintMinSample: 5000 });
    expect(errorFor({ COMPLAINT_PAUSE_RATE: '3' }).variable).to.equal('COMPLAINT_PAUSE_RATE');
    expect(errorFor({ COMPLAINT_PAUSE_MIN_DELIVERIES: '0' }).variable).to.equal('COMPLAINT_PAUSE_MIN_DELIVERIES');
  });
});
