// End-to-end support: the real app listening on a port, its scheduler sending through a real SMTP test server
// process, the site's own e-mails in an outbox folder, and Debian's Chromium driven by playwright-core.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SystemMailer } from '../../src/accounts/system-mail.js';
import type { User } from '../../src/db/models/index.js';
import { PROJECT_ROOT, type Config } from '../../src/config.js';
import { startScheduler } from '../../src/delivery/start-scheduler.js';
import { translator } from '../../src/i18n/i18n.js';
import { createLogger } from '../../src/logger.js';
import { createApp } from '../../src/app.js';
import { deliveryConfig } from './delivery.js';
import { FACTORY_PASSWORD } from './factories.js';
import { testDatabase } from './hooks.js';
import { scratchFolder } from './scratch.js';
import { SmtpTestServer } from './smtp-test-process.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
export const SCREENSHOTS_DIR = path.join(PROJECT_ROOT, 'docs', 'screenshots');

/** Skips a browser suite (with the reason) where Chromium is not installed; CI installs it. */
export function requireChromium(context: Mocha.Context): void {
  if (!existsSync(CHROMIUM_PATH)) {
    process.stderr.write(`e2e: ${CHROMIUM_PATH} not found (apt-get install -y chromium); browser tests skipped\n`);
    context.skip();
  }
}

export interface E2eSite {
  baseUrl: string;
  config: Config;
  smtp: SmtpTestServer;
  mailer: SystemMailer;
  outboxDir: string;
  stop(): Promise<void>;
}

/** Starts the whole service on the suite's fresh database, sending through a real SMTP server process. */
export async function startE2eSite(): Promise<E2eSite> {
  const smtp = await SmtpTestServer.start('accept');
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const outboxDir = scratchFolder('e2e-outbox');
  const config: Config = {
    ...deliveryConfig(smtp.url, {
      maxAttempts: 4,
      backoffBaseMs: 500,
      outageThreshold: 3,
      outagePauseMs: 1500,
      leaseMs: 5000,
      reconcileCron: '*/2 * * * * *',
    }),
    appUrl: baseUrl,
    outboxDir,
    uploadDir: scratchFolder('e2e-uploads'),
  };
  const logger = createLogger('silent');
  // Mailings go to the SMTP test server; the site's own e-mails (verification, reset) to the outbox, to be read.
  const mailer = new SystemMailer({ ...config, smtpUrl: null }, logger, testDatabase());
  server.on('request', createApp({ config, sequelize: testDatabase(), logger, systemMailer: mailer }));
  const stopScheduler = await startScheduler({ sequelize: testDatabase(), config, logger });
  return {
    baseUrl,
    config,
    smtp,
    mailer,
    outboxDir,
    async stop() {
      const closed = new Promise((resolve) => server.close(resolve));
      server.closeAllConnections();
      await closed;
      await stopScheduler();
      await mailer.close();
      await smtp.stop();
    },
  };
}

/** Launches headless Chromium. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Registers the suite's hooks: a site and a browser started once, stopped after (skipped without Chromium). */
export function browserSuite(): { browser: Browser; site: E2eSite } {
  const suite = {} as { browser: Browser; site: E2eSite };
  before(async function () {
    requireChromium(this);
    [suite.browser, suite.site] = await Promise.all([launchBrowser(), startE2eSite()]);
  });
  after(async () => {
    await suite.browser?.close();
    await suite.site?.stop();
  });
  return suite;
}

/** A fresh browser profile (its own cookies, language and time zone) on the site, with console errors collected. */
export async function openPage(
  browser: Browser,
  site: E2eSite,
  options: { locale?: string; timezoneId?: string } = {},
): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({
    baseURL: site.baseUrl,
    viewport: { width: 1280, height: 860 },
    locale: options.locale ?? 'en-US',
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
  });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    // A form with errors answers 422 by design; Chromium logs every 4xx of a script's request. A 404 is
    // reported below with its address instead, since the console line does not say which resource it was.
    if (message.type() === 'error' && !/status of (422|404)/.test(message.text())) {
      problems.push(`console: ${message.text()} (${page.url()})`);
    }
  });
  page.on('response', (response) => {
    const url = new URL(response.url());
    // Posts made by other tests (one database per run) may name images that were never uploaded to this site.
    if (response.status() === 404 && !url.pathname.startsWith('/uploads/')) {
      problems.push(`response: status of 404 for ${url.pathname} (${page.url()})`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message} (${page.url()})`));
  return { page, problems };
}

/**
 * Saves a screenshot of the visible page to docs/screenshots/<name>.png (shown in the README), only when asked
 * (`SCREENSHOTS=1`, as `npm run screenshots` does): an ordinary test run leaves the working tree as it was.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  // caret 'initial': hiding the caret leaves style="" on inputs, which a later htmx swap copies (a CSP error).
  await page.screenshot({ path: path.join(SCREENSHOTS_DIR, `${name}.png`), caret: 'initial' });
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core on the page and returns its serious and critical violations, one line each. */
export async function seriousAccessibilityProblems(page: Page): Promise<string[]> {
  // Injected through the DevTools protocol, which the page's Content-Security-Policy does not restrict.
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.targets.slice(0, 3).join(', ')} (${page.url()})`);
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** The newest link in the outbox e-mails matching the pattern, as a path (the e-mails are written in the background). */
export async function linkFromOutbox(site: E2eSite, pattern: RegExp): Promise<string> {
  await site.mailer.idle();
  const files = readdirSync(site.outboxDir)
    .filter((name) => name.endsWith('.eml'))
    .map((name) => path.join(site.outboxDir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const file of files) {
    const match = pattern.exec(readFileSync(file, 'utf8').replace(/=\r?\n/g, ''));
    if (match) return new URL(match[0]).pathname;
  }
  throw new Error(`no e-mail in the outbox has a link matching ${pattern}`);
}

/** Logs a factory user in by clicking "Log in" on the home page and waits for the greeting. */
export async function logIn(page: Page, user: User): Promise<void> {
  // The visitor's pages are in the browser's language until the sign-in; the user's pages in theirs after it.
  await page.goto('/');
  const t = translator((await page.getAttribute('html', 'lang')) === 'ru' ? 'ru' : 'en');
  await page
    .getByRole('link', { name: t('nav.login') })
    .first()
    .click();
  await page.getByLabel(t('accounts.fields.email')).fill(user.email);
  await page.getByLabel(t('accounts.fields.password')).fill(FACTORY_PASSWORD);
  await page.getByRole('button', { name: t('accounts.login.submit') }).click();
  await page
    .getByRole('heading', { name: translator(user.language)('home.welcome', { name: user.fullName }) })
    .waitFor();
}

/** Follows a link of the navbar and waits for the page's heading; returns how long that took. */
export async function openFromNavbar(page: Page, name: string, heading: string): Promise<number> {
  const started = Date.now();
  await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  return Date.now() - started;
}
