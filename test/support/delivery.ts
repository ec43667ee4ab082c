// Helpers for delivery tests: a fast-failing config, a mailing with clients, and running it to the end.
import type { Config, DeliverySettings } from '../../src/config.js';
import { Delivery, MailingRun, type Client, type Mailing, type User } from '../../src/db/models/index.js';
import { startRunNow } from '../../src/delivery/mailing-lifecycle.js';
import { cancelRun } from '../../src/delivery/runs.js';
import { workUntilEnded, type ForegroundOptions } from '../../src/delivery/foreground.js';
import { RunWorker, type RunProgress } from '../../src/delivery/run-worker.js';
import { createMailTransport } from '../../src/delivery/transports.js';
import { createLogger } from '../../src/logger.js';
import { makeClient, makeMailing, makeUser } from './factories.js';
import { testConfig, testDatabase } from './hooks.js';
import { scratchFolder } from './scratch.js';

/** The suite's config with an SMTP URL (or the outbox) and short timeouts, so faults resolve in about a second. */
export function deliveryConfig(smtpUrl: string | null, overrides: Partial<DeliverySettings> = {}): Config {
  const base = testConfig();
  return {
    ...base,
    smtpUrl,
    outboxDir: scratchFolder('outbox'),
    delivery: {
      ...base.delivery,
      poolSize: 2,
      maxAttempts: 3,
      backoffBaseMs: 40,
      connectionTimeoutMs: 400,
      greetingTimeoutMs: 400,
      socketTimeoutMs: 700,
      outageThreshold: 50,
      outagePauseMs: 200,
      leaseMs: 3000,
      batchSize: 10,
      // A destination that defers (421, 4.7.x) waits 40 ms, then 80…, and from its third wait in a row a deferral
      // costs an attempt, so a test of a deferring server ends as fast as one of any other 4xx.
      pacing: { ...base.delivery.pacing, backoffBaseMs: 40, backoffMaxMs: 200, maxDeferrals: 2 },
      ...overrides,
    },
  };
}

/**
 * Environment for a `bin/mailer` child working on the suite's database through a test SMTP server, with short
 * leases and timeouts so that crashes and faults resolve in about a second.
 */
export function senderEnv(smtpUrl: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: testConfig().database.url,
    SMTP_URL: smtpUrl,
    SMTP_POOL_SIZE: '2',
    DELIVERY_BATCH_SIZE: '5',
    DELIVERY_LEASE_MS: '1500',
    DELIVERY_BACKOFF_BASE_MS: '50',
    DESTINATION_BACKOFF_BASE_MS: '50',
    DESTINATION_BACKOFF_MAX_MS: '200',
    DESTINATION_MAX_DEFERRALS: '2',
    SMTP_GREETING_TIMEOUT_MS: '1000',
    SMTP_SOCKET_TIMEOUT_MS: '2000',
    SCHEDULER: 'off',
    ...overrides,
  };
}

/** A customer with `count` clients and a mailing to all of them. */
export async function mailingWithClients(
  count: number,
  attrs: Parameters<typeof makeMailing>[1] = {},
): Promise<{ owner: User; clients: Client[]; mailing: Mailing }> {
  const owner = await makeUser();
  const clients: Client[] = [];
  for (let i = 0; i < count; i += 1) clients.push(await makeClient(owner));
  const mailing = await makeMailing(owner, { clients, ...attrs });
  return { owner, clients, mailing };
}

export interface RunResult {
  progress: RunProgress;
  run: MailingRun;
  deliveries: Delivery[];
  elapsedMs: number;
}

/** Starts a run of the mailing now and works on it in this process until it ends (or the deadline passes). */
export async function sendNow(config: Config, mailingId: number, deadlineMs = 20_000): Promise<RunResult> {
  const run = await startRunNow(testDatabase(), mailingId);
  return continueRun(config, run.id, deadlineMs);
}

/** Works on an existing run in this process until it ends (or the deadline passes), with a fresh worker. */
export async function continueRun(
  config: Config,
  runId: number,
  deadlineMs = 20_000,
  options: ForegroundOptions = {},
): Promise<RunResult> {
  const started = Date.now();
  const transport = createMailTransport(config, testDatabase());
  const worker = new RunWorker({ sequelize: testDatabase(), config, transport, logger: createLogger('silent') });
  try {
    const progress = await workUntilEnded(worker, runId, { ...options, deadline: started + deadlineMs });
    return { progress, ...(await loadRun(runId)), elapsedMs: Date.now() - started };
  } finally {
    worker.stop();
    transport.close();
  }
}

/** The run and its deliveries as stored. */
export async function loadRun(runId: number): Promise<{ run: MailingRun; deliveries: Delivery[] }> {
  return {
    run: await MailingRun.findByPk(runId, { rejectOnEmpty: true }),
    deliveries: await Delivery.findAll({ where: { runId }, order: [['id', 'ASC']] }),
  };
}

/**
 * The addresses the mailing's next run leaves out as suppressed: the run is started (its snapshot taken) with a
 * clock a few seconds ahead, so that it is not refused as a second run of the same second, and then cancelled.
 */
export async function suppressedInNextRun(mailingId: number): Promise<string[]> {
  const run = await startRunNow(testDatabase(), mailingId, new Date(Date.now() + 5000));
  const deliveries = await Delivery.findAll({ where: { runId: run.id }, order: [['id', 'ASC']] });
  await cancelRun(testDatabase(), run.id);
  return deliveries.filter((d) => d.errorClass === 'suppressed').map((d) => d.email);
}
