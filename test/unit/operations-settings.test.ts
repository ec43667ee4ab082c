import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.js';

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

describe('operations settings (METRICS_*, TRUST_PROXY)', () => {
  it('when nothing is set, then /metrics is off and no proxy is trusted', () => {
    expect(loadConfig({}, ROOT).operations).to.deep.equal({
      metricsToken: null,
      metricsPort: null,
      metricsHost: '127.0.0.1',
      trustProxy: false,
    });
  });

  const trustProxyValues: [string, false | number | string[]][] = [
    ['off', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['loopback', ['loopback']],
    ['loopback, 10.0.0.0/8, fd00::/8, 192.0.2.7', ['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.7']],
  ];
  for (const [value, expected] of trustProxyValues) {
    it(`when TRUST_PROXY=${value}, then Express is given ${JSON.stringify(expected)}`, () => {
      expect(loadConfig({ TRUST_PROXY: value }, ROOT).operations.trustProxy).to.deep.equal(expected);
    });
  }

  const bad: [string, string, string][] = [
    ['TRUST_PROXY', 'true', 'true'],
    ['TRUST_PROXY', '10.0.0.0/33', '10.0.0.0/33'],
    ['TRUST_PROXY', 'loopback,proxy.example.com', 'proxy.example.com'],
    ['TRUST_PROXY', '11', '11'],
    ['METRICS_PORT', 'ninety', 'ninety'],
    ['METRICS_PORT', '70000', '70000'],
    ['METRICS_PORT', '3000', '3000'],
    ['METRICS_HOST', 'metrics.example.com', 'metrics.example.com'],
  ];
  for (const [variable, value, shown] of bad) {
    it(`when ${variable}=${value}, then start-up fails with one line naming ${variable}`, () => {
      const error = errorFor({ [variable]: value });
      expect(error.variable).to.equal(variable);
      expect(error.message).to.match(new RegExp(`^invalid configuration: ${variable} `));
      expect(error.message).to.contain(shown);
      expect(error.message).not.to.contain('\n');
    });
  }

  it('when METRICS_TOKEN is too short or has spaces, then start-up fails naming it without echoing it', () => {
    for (const token of ['short', 'a token with spaces in it']) {
      const error = errorFor({ METRICS_TOKEN: token });
      expect(error.variable).to.equal('METRICS_TOKEN');
      expect(error.message).not.to.contain(token);
    }
  });

  it('when METRICS_TOKEN and METRICS_PORT are set, then both are kept', () => {
    const operations = loadConfig(
      { METRICS_TOKEN: 'x'.repeat(32), METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' },
      ROOT,
    ).operations;
    expect(operations).to.include({ metricsToken: 'x'.repeat(32), metricsPort: 9464, metricsHost: '0.0.0.0' });
  });
});
