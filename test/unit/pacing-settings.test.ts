import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.js';
import {
  destinationGroupOf,
  domainsOfGroup,
  limitsOf,
  pacingSettingsOf,
  type PacingSettings,
} from '../../src/pacing-settings.js';

/** The settings of an environment that must be valid. */
function settingsOf(env: Record<string, string>): PacingSettings {
  const result = pacingSettingsOf(env);
  if ('variable' in result) throw new Error(`unexpected problem: ${result.variable} ${result.message}`);
  return result.settings;
}

/** The variable named by the config error of an environment that must be refused. */
function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env, '/srv/mailer');
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('pacing per destination: settings', () => {
  it('when nothing is set, then each group may have 20 under way at no rate limit, and the providers are grouped', () => {
    const settings = loadConfig({}, '/srv/mailer').delivery.pacing;
    expect(settings.defaults).to.deep.equal({ concurrency: 20, ratePerSecond: 0 });
    expect(settings).to.deep.include({ backoffBaseMs: 30_000, backoffMaxMs: 900_000, maxDeferrals: 10 });
    expect(destinationGroupOf('a@gmail.com', settings)).to.equal('gmail');
    expect(destinationGroupOf('b@GoogleMail.com', settings)).to.equal('gmail');
    for (const domain of ['outlook.com', 'hotmail.com', 'live.com', 'msn.com'])
      expect(destinationGroupOf(`x@${domain}`, settings), domain).to.equal('outlook');
    for (const domain of ['yahoo.com', 'ymail.com', 'aol.com'])
      expect(destinationGroupOf(`x@${domain}`, settings), domain).to.equal('yahoo');
    expect(destinationGroupOf('x@ya.ru', settings)).to.equal('yandex');
    for (const domain of ['mail.ru', 'bk.ru', 'inbox.ru', 'list.ru'])
      expect(destinationGroupOf(`x@${domain}`, settings), domain).to.equal('mailru');
    // Any other domain is a group of its own.
    expect(destinationGroupOf('x@Example.ORG', settings)).to.equal('example.org');
    expect(domainsOfGroup('gmail', settings).sort()).to.deep.equal(['gmail', 'gmail.com', 'googlemail.com']);
    expect(domainsOfGroup('example.org', settings)).to.deep.equal(['example.org']);
  });

  it('when groups, limits and backoffs are given, then they override the defaults', () => {
    const settings = settingsOf({
      DESTINATION_GROUPS: 'corp.example=corp, mail.corp.example=corp, gmail.com=gmail.com',
      DESTINATION_CONCURRENCY: '8',
      DESTINATION_RATE_PER_SECOND: '50',
      DESTINATION_LIMITS: 'corp=2/5, gmail=/10, yahoo=3/',
      DESTINATION_BACKOFF_BASE_MS: '1000',
      DESTINATION_BACKOFF_MAX_MS: '4000',
      DESTINATION_MAX_DEFERRALS: '0',
    });
    expect(destinationGroupOf('a@mail.corp.example', settings)).to.equal('corp');
    expect(destinationGroupOf('a@gmail.com', settings)).to.equal('gmail.com');
    expect(destinationGroupOf('a@googlemail.com', settings)).to.equal('gmail');
    expect(limitsOf('corp', settings)).to.deep.equal({ concurrency: 2, ratePerSecond: 5 });
    expect(limitsOf('gmail', settings)).to.deep.equal({ concurrency: 8, ratePerSecond: 10 });
    expect(limitsOf('yahoo', settings)).to.deep.equal({ concurrency: 3, ratePerSecond: 50 });
    expect(limitsOf('other.example', settings)).to.deep.equal({ concurrency: 8, ratePerSecond: 50 });
    expect(settings).to.deep.include({ backoffBaseMs: 1000, backoffMaxMs: 4000, maxDeferrals: 0 });
  });

  const bad: [Record<string, string>, string, RegExp][] = [
    [{ DESTINATION_CONCURRENCY: '0' }, 'DESTINATION_CONCURRENCY', /whole number from 1 to 1000 \(got "0"\)/],
    [{ DESTINATION_CONCURRENCY: 'many' }, 'DESTINATION_CONCURRENCY', /got "many"/],
    [{ DESTINATION_RATE_PER_SECOND: '-1' }, 'DESTINATION_RATE_PER_SECOND', /whole number from 0/],
    [{ DESTINATION_RATE_PER_SECOND: '2.5' }, 'DESTINATION_RATE_PER_SECOND', /got "2.5"/],
    [{ DESTINATION_GROUPS: 'gmail.com' }, 'DESTINATION_GROUPS', /domain=group pairs .*got "gmail.com"/],
    [{ DESTINATION_GROUPS: 'a@b.com=x' }, 'DESTINATION_GROUPS', /got "a@b.com=x"/],
    [{ DESTINATION_GROUPS: 'b.com=x=y' }, 'DESTINATION_GROUPS', /got "b.com=x=y"/],
    [{ DESTINATION_LIMITS: 'gmail=10' }, 'DESTINATION_LIMITS', /group=concurrency\/rate .*got "gmail=10"/],
    [{ DESTINATION_LIMITS: 'gmail=0/5' }, 'DESTINATION_LIMITS', /concurrency 1 to 1000/],
    [{ DESTINATION_LIMITS: 'gmail=a/b' }, 'DESTINATION_LIMITS', /got "gmail=a\/b"/],
    [{ DESTINATION_BACKOFF_BASE_MS: '5' }, 'DESTINATION_BACKOFF_BASE_MS', /from 10 to/],
    [
      { DESTINATION_BACKOFF_BASE_MS: '60000', DESTINATION_BACKOFF_MAX_MS: '1000' },
      'DESTINATION_BACKOFF_MAX_MS',
      /must not be below DESTINATION_BACKOFF_BASE_MS/,
    ],
    [{ DESTINATION_MAX_DEFERRALS: 'x' }, 'DESTINATION_MAX_DEFERRALS', /whole number from 0 to 1000/],
  ];
  for (const [env, variable, message] of bad) {
    it(`when ${JSON.stringify(env)}, then the start is refused naming ${variable}`, () => {
      const error = refusal(env);
      expect(error.variable).to.equal(variable);
      expect(error.message)
        .to.match(new RegExp(`^invalid configuration: ${variable} `))
        .and.match(message);
    });
  }
});
