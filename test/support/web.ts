// Driving the real app over HTTP: an app per test file with its own outbox, signed-in agents with CSRF tokens.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { SystemMailer } from '../../src/accounts/system-mail.js';
import type { Config } from '../../src/config.js';
import type { User } from '../../src/db/models/index.js';
import { createLogger } from '../../src/logger.js';
import { createApp } from '../../src/app.js';
import { FACTORY_PASSWORD } from './factories.js';
import { testConfig, testDatabase } from './hooks.js';
import { scratchFolder } from './scratch.js';

export interface TestSite {
  app: Express;
  mailer: SystemMailer;
  outboxDir: string;
}

/**
 * The limits on the forms that send mail in tests: none, since every request of the suite comes from one IP
 * address. The tests of the limits give their own.
 */
const NO_MAIL_FORM_LIMITS: Config['mailForms'] = { addressCooldownSeconds: 0, addressPerHour: 1e6, ipPerHour: 1e6 };

/** A fresh app on the test database whose system e-mails land in a private outbox folder. */
export function testSite(overrides: Partial<Config> = {}): TestSite {
  const outboxDir = scratchFolder('outbox');
  const config = {
    ...testConfig(),
    mailForms: NO_MAIL_FORM_LIMITS,
    outboxDir,
    appUrl: 'http://mailer.test',
    ...overrides,
  };
  const logger = createLogger('silent');
  const mailer = new SystemMailer(config, logger, testDatabase());
  return { app: createApp({ config, sequelize: testDatabase(), logger, systemMailer: mailer }), mailer, outboxDir };
}

/** The e-mails in an outbox folder, oldest first, after every queued one was written. */
export async function outboxEmails(site: TestSite): Promise<string[]> {
  await site.mailer.idle();
  return readdirSync(site.outboxDir)
    .filter((name) => name.endsWith('.eml'))
    .map((name) => path.join(site.outboxDir, name))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
    .map((file) => readFileSync(file, 'utf8'));
}

/** The CSRF token a page carries (hidden field or hx-headers). */
export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html) ?? /X-CSRF-Token&quot;:&quot;([^&]+)&quot;/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

export interface Browser {
  agent: TestAgent;
  /** A CSRF token valid for this agent's session. */
  csrf: string;
  /** POSTs a form with the session's CSRF token. */
  post(url: string, form?: Record<string, string | string[]>): request.Test;
}

function browserOf(agent: TestAgent, csrf: string): Browser {
  return {
    agent,
    csrf,
    post: (url, form = {}) =>
      agent
        .post(url)
        .type('form')
        .send({ _csrf: csrf, ...form }),
  };
}

/** An anonymous visitor with a session and a CSRF token (taken from the login page); `app` may be a base URL. */
export async function visitor(app: Express | string): Promise<Browser> {
  const agent = request.agent(app);
  const page = await agent.get('/login').expect(200);
  return browserOf(agent, csrfTokenIn(page.text));
}

/** A browser signed in as the user (whose password is the factories' one). */
export async function signedIn(app: Express | string, user: User): Promise<Browser> {
  const guest = await visitor(app);
  await guest.post('/login', { email: user.email, password: FACTORY_PASSWORD }).expect(303);
  const page = await guest.agent.get('/profile').expect(200);
  return browserOf(guest.agent, csrfTokenIn(page.text));
}
