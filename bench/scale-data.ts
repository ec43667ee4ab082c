// bench:scale's data set, built by set-based SQL in seconds: a big customer (100,000 clients, 200 runs, 1,000,000
// deliveries, the newest run 100,000 rows), a small customer (100 clients, 3 mailings, one 100-row run written in
// the middle of the log), and the derived data the screens read kept as the app keeps it: search_text folded by
// the app's rule, run counters by refreshRunCounters, run_slot_counts counted afresh by migration 0028's backfill
// (its triggers are dropped for the load and put back, as 0028's own helpers allow for a bulk load).
import type { Sequelize } from 'sequelize';
import { hashPassword } from '../src/accounts/password.js';
import { Mailing, MailingClient, MailingRun, Message, User } from '../src/db/models/index.js';
import { foldForSearch } from '../src/db/search-text.js';
import { refreshRunCounters } from '../src/delivery/runs.js';
import {
  backfillCounts,
  createCountTriggers,
  dropCountTriggers,
} from '../migrations/20261223-0028-slot-count-shards.js';
import { buildSql, type BuildSql } from './scale-sql.js';

export const BENCH_PASSWORD = 'bench-scale-password-0123';

/** How big the data set is; `scaled` shrinks every count (a quick try of the benchmark itself). */
export interface ScaleSizes {
  bigClients: number;
  bigRuns: number;
  bigRunRows: number;
  /** Deliveries of the big customer's other runs together. */
  otherRows: number;
  smallClients: number;
}

export const FULL_SIZES: ScaleSizes = {
  bigClients: 100_000,
  bigRuns: 200,
  bigRunRows: 100_000,
  otherRows: 900_000,
  smallClients: 100,
};

/** The sizes times a factor (at least a few rows each), for trying the benchmark quickly. */
export function scaled(factor: number): ScaleSizes {
  const times = (n: number, least: number) => Math.max(least, Math.round(n * factor));
  return {
    bigClients: times(FULL_SIZES.bigClients, 1000),
    bigRuns: times(FULL_SIZES.bigRuns, 10),
    bigRunRows: times(FULL_SIZES.bigRunRows, 1000),
    otherRows: times(FULL_SIZES.otherRows, 1000),
    smallClients: FULL_SIZES.smallClients,
  };
}

/** A customer the benchmark signs in as. */
export interface Customer {
  id: number;
  email: string;
}

/** What the screens are asked for. */
export interface ScaleData {
  big: Customer;
  small: Customer;
  /** The big customer's newest run, the 100,000-row one. */
  bigRunId: number;
  /** One of the big customer's older runs (about 4,500 rows), written just before the small customer's run. */
  bigOlderRunId: number;
  smallRunId: number;
  deliveries: number;
}

/** The names clients get in turn: Latin and Cyrillic, so the search is tried in both scripts. */
const NAMES = ['Anna Smith', 'John Miller', 'Мария Кузнецова', 'Иван Петров'] as const;
const DAY_MS = 86_400_000;

/** Creates a signed-up, verified customer who can log in with BENCH_PASSWORD. */
export async function createCustomer(email: string, fullName: string): Promise<Customer> {
  const user = await User.create({
    email,
    fullName,
    passwordHash: await hashPassword(BENCH_PASSWORD),
    role: 'user',
    emailVerifiedAt: new Date(),
    timeZone: 'UTC',
    language: 'en',
  });
  return { id: user.id, email };
}

/** Inserts `count` clients of the owner in one statement, search_text folded as the model's hook folds it. */
export async function insertClients(sequelize: Sequelize, ownerId: number, count: number, domain: string) {
  const sql = buildSql(sequelize);
  const number = sql.text('g.i');
  const email = `'c' || ${number} || :at`;
  const pick = (values: readonly string[]) =>
    `CASE g.i % ${values.length} ${values.map((_, k) => `WHEN ${k} THEN :${values === NAMES ? 'n' : 'f'}${k}`).join(' ')} END`;
  const replacements: Record<string, unknown> = { ownerId, at: `@${domain}`, nl: '\n', since: new Date() };
  NAMES.forEach((name, k) => {
    replacements[`n${k}`] = `${name} `;
    replacements[`f${k}`] = `${foldForSearch(name)} `;
  });
  const folded = NAMES.map(foldForSearch);
  const created = sql.after('since', `g.i - ${count} - 1`);
  await sequelize.query(
    `${sql.numbers(count)}
     INSERT INTO clients (owner_id, email, full_name, comment, search_text, created_at, updated_at)
     SELECT :ownerId, ${email}, ${pick(NAMES)} || ${number}, '',
       ${email} || :nl || ${pick(folded)} || ${number} || :nl, ${created}, ${created}
     FROM g`,
    { replacements },
  );
}

/** Creates the owner's message and `count` mailings of it (through the models: their search text). */
export async function createMailings(ownerId: number, count: number, allClients: boolean): Promise<number[]> {
  const message = await Message.create({ ownerId, subject: 'Weekly news', bodyText: 'Hello {{full_name}}!' });
  const ids: number[] = [];
  for (let k = 0; k < count; k += 1) {
    const mailing = await Mailing.create({
      ownerId,
      messageId: message.id,
      name: `Mailing ${k + 1}`,
      startAt: new Date(Date.now() - 365 * DAY_MS),
      endAt: new Date(Date.now() + 365 * DAY_MS),
      periodicity: 'daily',
      timeZone: 'UTC',
      status: 'running',
      allClients,
    });
    ids.push(mailing.id);
  }
  return ids;
}

/** One finished run and its log: `size` of the owner's clients from `offset`, mostly sent, some failed or unknown. */
async function insertRun(
  sequelize: Sequelize,
  sql: BuildSql,
  run: { mailingId: number; number: number; scheduledAt: Date; ownerId: number; size: number; offset: number },
): Promise<number> {
  const finishedAt = new Date(run.scheduledAt.getTime() + 3_600_000);
  const created = await MailingRun.create({
    mailingId: run.mailingId,
    number: run.number,
    scheduledAt: run.scheduledAt,
    state: 'finished',
    startedAt: run.scheduledAt,
    finishedAt,
  });
  const at = sql.after('scheduledAt', 'c.id % 3600');
  const kind = (sent: string, failed: string, unknown: string) =>
    `CASE WHEN c.id % 100 < 2 THEN ${failed} WHEN c.id % 100 = 2 THEN ${unknown} ELSE ${sent} END`;
  await sequelize.query(
    `INSERT INTO deliveries (run_id, client_id, email, full_name, status, attempt_count, last_attempt_at, sent_at,
       smtp_response, error_class, created_at, updated_at)
     SELECT :runId, c.id, c.email, c.full_name, ${kind("'sent'", "'failed'", "'unknown'")}, 1, ${at},
       ${kind(at, 'NULL', 'NULL')}, ${kind("'250 2.0.0 Ok: queued'", "'550 5.1.1 User unknown'", 'NULL')},
       ${kind('NULL', "'smtp_5xx'", "'no_reply'")}, :scheduledAt, ${at}
     FROM (SELECT id, email, full_name FROM clients WHERE owner_id = :ownerId ORDER BY id LIMIT :size OFFSET :offset) c
     ORDER BY c.id`,
    { replacements: { runId: created.id, ...run } },
  );
  await sequelize.query('UPDATE mailing_runs SET total_count = :size WHERE id = :runId', {
    replacements: { size: run.size, runId: created.id },
  });
  await refreshRunCounters(sequelize, created.id);
  return created.id;
}

/** Rows of the big customer's k-th older run: the other rows shared out evenly, summing exactly. */
function olderRunSize(sizes: ScaleSizes, k: number): number {
  const older = sizes.bigRuns - 1;
  return Math.floor(((k + 1) * sizes.otherRows) / older) - Math.floor((k * sizes.otherRows) / older);
}

/** Builds the whole data set in a migrated, empty database. */
export async function buildScaleData(sequelize: Sequelize, sizes: ScaleSizes): Promise<ScaleData> {
  const sql = buildSql(sequelize);
  const big = await createCustomer('big@bench.example.org', 'Big Customer');
  const small = await createCustomer('small@bench.example.org', 'Small Customer');
  await insertClients(sequelize, big.id, sizes.bigClients, 'big.example.org');
  await insertClients(sequelize, small.id, sizes.smallClients, 'small.example.org');
  const bigMailings = await createMailings(big.id, 4, true);
  const smallMailings = await createMailings(small.id, 3, false);
  const [smallFirst] = await sequelize.query('SELECT MIN(id) AS id FROM clients WHERE owner_id = :id', {
    replacements: { id: small.id },
    plain: false,
  });
  const firstSmall = Number((smallFirst as { id: number | string }[])[0]?.id);
  await MailingClient.bulkCreate(
    Array.from({ length: sizes.smallClients }, (_, k) => ({
      mailingId: smallMailings[0] as number,
      clientId: firstSmall + k,
    })),
  );

  await dropCountTriggers(sequelize);
  const newest = new Date(Math.floor(Date.now() / DAY_MS) * DAY_MS - DAY_MS + 9 * 3_600_000);
  let bigRunId = 0;
  let bigOlderRunId = 0;
  let smallRunId = 0;
  for (let k = 0; k < sizes.bigRuns; k += 1) {
    const daysAgo = sizes.bigRuns - 1 - k;
    const scheduledAt = new Date(newest.getTime() - daysAgo * DAY_MS);
    const mailing = k % bigMailings.length;
    const size = daysAgo === 0 ? sizes.bigRunRows : olderRunSize(sizes, k);
    const offset = daysAgo === 0 ? 0 : (k * 4523) % Math.max(1, sizes.bigClients - size);
    const number = Math.floor(k / bigMailings.length) + 1;
    const mailingId = bigMailings[mailing] as number;
    bigRunId = await insertRun(sequelize, sql, { mailingId, number, scheduledAt, ownerId: big.id, size, offset });
    if (k === Math.floor(sizes.bigRuns / 2)) {
      bigOlderRunId = bigRunId;
      const run = { mailingId: smallMailings[0] as number, number: 1, scheduledAt, ownerId: small.id };
      smallRunId = await insertRun(sequelize, sql, { ...run, size: sizes.smallClients, offset: 0 });
    }
  }
  await backfillCounts(sequelize);
  await createCountTriggers(sequelize);
  // PostgreSQL's autovacuum would analyse the fresh tables within a minute; SQLite's app never runs ANALYZE.
  if (sql.postgres) await sequelize.query('VACUUM ANALYZE');
  const deliveries = sizes.bigRunRows + sizes.otherRows + sizes.smallClients;
  return { big, small, bigRunId, bigOlderRunId, smallRunId, deliveries };
}
