// The home page's statistics are kept, not scanned: `home_stat_counts` holds the number of mailings, of active
// ones (running, not disabled) and of unique addressed e-mails, and `addressed_emails` holds, per lower-cased
// address, how many (client, reason it is addressed) pairs there are: one per mailing_clients row of a client with
// that address, plus one per "all my clients" mailing of the client's owner (recipients.ts's ADDRESSED_BY_A_MAILING).
// A client is addressed exactly when it has at least one such pair, so an address counts while its sum is above
// zero. Sums commute, so the order in which cascades fire (a user's deletion removes clients, mailings and links
// in an order neither database promises) cannot change the result. Database triggers keep both tables in the
// statement that writes, whichever door wrote (site, back office, import, account deletion, bench load):
// clients and mailings are counted out BEFORE they are deleted, and a link whose client is already gone counts
// nothing (its client's deletion took it back). On PostgreSQL each connection adds into its own counts row
// (`pg_backend_pid()`, as run_slot_counts does), so concurrent writers only ever wait on the address rows they
// share; readers sum the rows. SQLite has one writer: its counts row is always 0.
import type { Sequelize, Transaction } from 'sequelize';
import type { MigrationContext } from '../src/db/migrator.js';

const isPostgres = (sequelize: Sequelize): boolean => sequelize.getDialect() === 'postgres';

const ACTIVE = (row: string): string =>
  `CASE WHEN ${row}.status = 'running' AND NOT ${row}.is_disabled THEN 1 ELSE 0 END`;

/** One client row's pairs (its links and its owner's "all my clients" mailings) as (email, k) with k = sign·n. */
const wholeClient = (row: string, sign: number): string =>
  `SELECT lower(${row}.email) AS email, ${sign} * ((SELECT COUNT(*) FROM mailing_clients mc WHERE mc.client_id = ${row}.id)
     + (SELECT COUNT(*) FROM mailings m WHERE m.owner_id = ${row}.owner_id AND m.all_clients)) AS k`;

/** One link's pair, when its client still exists. */
const linkedClient = (clientId: string, sign: number): string =>
  `SELECT lower(c.email) AS email, ${sign} AS k FROM clients c WHERE c.id = ${clientId}`;

/** One pair per client of the owner, when the mailing row is an "all my clients" one. */
const ownerClients = (row: string, sign: number): string =>
  `SELECT lower(c.email) AS email, ${sign} AS k FROM clients c WHERE c.owner_id = ${row}.owner_id AND ${row}.all_clients`;

/** The (email, k) changes of a write, summed per address, zero sums left out. */
const changes = (parts: string[]): string =>
  `SELECT email, CAST(SUM(k) AS BIGINT) AS k FROM (${parts.join(' UNION ALL ')}) parts
   GROUP BY email HAVING SUM(k) <> 0`;

interface Watched {
  table: 'clients' | 'mailings' | 'mailing_clients';
  event: 'INSERT' | 'UPDATE' | 'DELETE';
  timing: 'BEFORE' | 'AFTER';
  /** The (email, k) parts. */
  parts: string[];
  /** The change to (mailings, active mailings), as SQL expressions. */
  counts?: [string, string];
  /** The condition (over OLD/NEW) under which the trigger runs at all. */
  when?: string;
  /** Told apart from another trigger of the same table and event. */
  name?: string;
}

const WATCHED: Watched[] = [
  { table: 'mailing_clients', event: 'INSERT', timing: 'AFTER', parts: [linkedClient('NEW.client_id', 1)] },
  { table: 'mailing_clients', event: 'DELETE', timing: 'AFTER', parts: [linkedClient('OLD.client_id', -1)] },
  {
    table: 'mailing_clients',
    event: 'UPDATE',
    timing: 'AFTER',
    parts: [linkedClient('OLD.client_id', -1), linkedClient('NEW.client_id', 1)],
    when: 'OLD.client_id <> NEW.client_id',
  },
  { table: 'clients', event: 'INSERT', timing: 'AFTER', parts: [wholeClient('NEW', 1)] },
  { table: 'clients', event: 'DELETE', timing: 'BEFORE', parts: [wholeClient('OLD', -1)] },
  {
    table: 'clients',
    event: 'UPDATE',
    timing: 'AFTER',
    parts: [wholeClient('OLD', -1), wholeClient('NEW', 1)],
    when: 'lower(OLD.email) <> lower(NEW.email) OR OLD.owner_id <> NEW.owner_id',
  },
  {
    table: 'mailings',
    event: 'INSERT',
    timing: 'AFTER',
    parts: [ownerClients('NEW', 1)],
    counts: ['1', ACTIVE('NEW')],
  },
  {
    table: 'mailings',
    event: 'DELETE',
    timing: 'BEFORE',
    parts: [ownerClients('OLD', -1)],
    counts: ['-1', `-${ACTIVE('OLD')}`],
  },
  {
    table: 'mailings',
    event: 'UPDATE',
    timing: 'AFTER',
    parts: [ownerClients('OLD', -1), ownerClients('NEW', 1)],
    when: 'OLD.all_clients <> NEW.all_clients OR OLD.owner_id <> NEW.owner_id',
  },
  {
    table: 'mailings',
    event: 'UPDATE',
    name: 'status',
    timing: 'AFTER',
    parts: [],
    counts: ['0', `${ACTIVE('NEW')} - ${ACTIVE('OLD')}`],
    when: 'OLD.status <> NEW.status OR OLD.is_disabled <> NEW.is_disabled',
  },
];

const triggerName = (watched: Watched): string =>
  `home_stats_${watched.table}_${watched.event.toLowerCase()}${watched.name ? `_${watched.name}` : ''}`;

/** SQLite's trigger body: count the crossings of zero first, then add the sums, then drop the rows at zero. */
function sqliteBody(watched: Watched): string {
  const delta = changes(watched.parts);
  const before = 'COALESCE(a.refs, 0)';
  const statements =
    watched.parts.length === 0
      ? []
      : [
          `UPDATE home_stat_counts SET unique_clients = unique_clients + (SELECT COALESCE(SUM(CASE
        WHEN ${before} <= 0 AND ${before} + d.k > 0 THEN 1 WHEN ${before} > 0 AND ${before} + d.k <= 0 THEN -1
        ELSE 0 END), 0) FROM (${delta}) d LEFT JOIN addressed_emails a ON a.email = d.email) WHERE shard = 0`,
          `INSERT INTO addressed_emails (email, refs) SELECT email, k FROM (${delta}) WHERE true
       ON CONFLICT (email) DO UPDATE SET refs = addressed_emails.refs + excluded.refs`,
          `DELETE FROM addressed_emails WHERE refs = 0 AND email IN (SELECT email FROM (${delta}))`,
        ];
  if (watched.counts)
    statements.push(`UPDATE home_stat_counts SET mailings = mailings + (${watched.counts[0]}),
      active_mailings = active_mailings + (${watched.counts[1]}) WHERE shard = 0`);
  return statements.join(';\n');
}

// PostgreSQL's shared helpers: the counts row of this connection, and the address sums with their crossings of
// zero read from the upsert's own result (the row as it is after any concurrent writer's commit), so two
// connections adding the same new address count it once.
const PG_HELPERS = [
  `CREATE FUNCTION home_stats_add(m BIGINT, a BIGINT, u BIGINT) RETURNS void LANGUAGE plpgsql AS $body$
   BEGIN
     IF m = 0 AND a = 0 AND u = 0 THEN RETURN; END IF;
     INSERT INTO home_stat_counts AS h (shard, mailings, active_mailings, unique_clients)
       VALUES (pg_backend_pid(), m, a, u)
       ON CONFLICT (shard) DO UPDATE SET mailings = h.mailings + excluded.mailings,
         active_mailings = h.active_mailings + excluded.active_mailings,
         unique_clients = h.unique_clients + excluded.unique_clients;
   END $body$`,
  `CREATE FUNCTION home_stats_apply(emails TEXT[], deltas BIGINT[]) RETURNS void LANGUAGE plpgsql AS $body$
   DECLARE crossed BIGINT;
   BEGIN
     IF emails IS NULL THEN RETURN; END IF;
     WITH d AS (SELECT * FROM unnest(emails, deltas) AS t (email, k)),
     u AS (INSERT INTO addressed_emails AS a (email, refs) SELECT email, k FROM d ORDER BY email
           ON CONFLICT (email) DO UPDATE SET refs = a.refs + excluded.refs RETURNING a.email, a.refs)
     SELECT COALESCE(SUM(CASE WHEN u.refs > 0 AND u.refs - d.k <= 0 THEN 1
                              WHEN u.refs <= 0 AND u.refs - d.k > 0 THEN -1 ELSE 0 END), 0)
       INTO crossed FROM u JOIN d ON d.email = u.email;
     DELETE FROM addressed_emails WHERE email = ANY (emails) AND refs = 0;
     PERFORM home_stats_add(0, 0, crossed);
   END $body$`,
];

// PostgreSQL counts a multi-row insert of clients (the import's batches) in one call per statement, from
// its transition table: a new client has no links yet, so it is addressed once per "all my clients" mailing of
// its owner.
const PG_CLIENTS_INSERTED = `CREATE FUNCTION home_stats_clients_insert() RETURNS trigger LANGUAGE plpgsql AS $body$
  BEGIN
    PERFORM home_stats_apply(array_agg(d.email ORDER BY d.email), array_agg(d.k ORDER BY d.email))
      FROM (SELECT lower(n.email) AS email, CAST(SUM(m.k) AS BIGINT) AS k FROM inserted_clients n
        CROSS JOIN LATERAL (SELECT COUNT(*) AS k FROM mailings WHERE owner_id = n.owner_id AND all_clients) m
        WHERE m.k > 0 GROUP BY lower(n.email)) d;
    RETURN NULL;
  END $body$`;

const perStatementOnPostgres = (watched: Watched): boolean => watched.table === 'clients' && watched.event === 'INSERT';

function pgFunction(watched: Watched): string {
  if (perStatementOnPostgres(watched)) return PG_CLIENTS_INSERTED;
  const row = watched.event === 'DELETE' ? 'OLD' : 'NEW';
  const counts = watched.counts ? `PERFORM home_stats_add(${watched.counts[0]}, ${watched.counts[1]}, 0);` : '';
  const addresses =
    watched.parts.length === 0
      ? ''
      : `PERFORM home_stats_apply(array_agg(d.email ORDER BY d.email), array_agg(d.k ORDER BY d.email))
           FROM (${changes(watched.parts)}) d;`;
  return `CREATE FUNCTION ${triggerName(watched)}() RETURNS trigger LANGUAGE plpgsql AS $body$
    BEGIN
      ${addresses}
      ${counts}
      RETURN ${watched.timing === 'BEFORE' ? row : 'NULL'};
    END $body$`;
}

/** Creates the tables' triggers (and, on PostgreSQL, their functions). */
export async function createHomeStatTriggers(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  const run = (sql: string) => sequelize.query(sql, { transaction });
  const pg = isPostgres(sequelize);
  if (pg) for (const helper of PG_HELPERS) await run(helper);
  for (const watched of WATCHED) {
    // Null-safe inequality in each dialect.
    const condition = watched.when?.replaceAll(' <> ', pg ? ' IS DISTINCT FROM ' : ' IS NOT ');
    const head = `CREATE TRIGGER ${triggerName(watched)} ${watched.timing} ${watched.event} ON ${watched.table}`;
    if (pg) {
      await run(pgFunction(watched));
      const when = condition ? `WHEN (${condition})` : '';
      const each = perStatementOnPostgres(watched)
        ? 'REFERENCING NEW TABLE AS inserted_clients FOR EACH STATEMENT'
        : `FOR EACH ROW ${when}`;
      await run(`${head} ${each} EXECUTE FUNCTION ${triggerName(watched)}()`);
    } else {
      const when = condition ? `WHEN ${condition}` : '';
      await run(`${head} FOR EACH ROW ${when} BEGIN ${sqliteBody(watched)}; END`);
    }
  }
}

/** Drops the triggers and functions (the migration's down). */
export async function dropHomeStatTriggers(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  const run = (sql: string) => sequelize.query(sql, { transaction });
  const pg = isPostgres(sequelize);
  for (const watched of WATCHED) {
    await run(`DROP TRIGGER IF EXISTS ${triggerName(watched)}${pg ? ` ON ${watched.table}` : ''}`);
    if (pg) await run(`DROP FUNCTION IF EXISTS ${triggerName(watched)}()`);
  }
  if (pg) {
    await run('DROP FUNCTION IF EXISTS home_stats_apply(TEXT[], BIGINT[])');
    await run('DROP FUNCTION IF EXISTS home_stats_add(BIGINT, BIGINT, BIGINT)');
  }
}

/** Counts everything afresh into counts row 0 (the other rows emptied first). */
export async function recountHomeStats(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  const run = (sql: string) => sequelize.query(sql, { transaction });
  await run('DELETE FROM home_stat_counts');
  await run('DELETE FROM addressed_emails');
  await run(
    `INSERT INTO addressed_emails (email, refs) ${changes([
      'SELECT lower(c.email) AS email, 1 AS k FROM mailing_clients mc JOIN clients c ON c.id = mc.client_id',
      'SELECT lower(c.email) AS email, 1 AS k FROM clients c JOIN mailings m ON m.owner_id = c.owner_id AND m.all_clients',
    ])}`,
  );
  await run(`INSERT INTO home_stat_counts (shard, mailings, active_mailings, unique_clients) SELECT 0,
    (SELECT COUNT(*) FROM mailings), (SELECT COUNT(*) FROM mailings m WHERE ${ACTIVE('m')} = 1),
    (SELECT COUNT(*) FROM addressed_emails)`);
}

export async function up({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  const pg = isPostgres(sequelize);
  await sequelize.transaction(async (transaction) => {
    const run = (sql: string) => sequelize.query(sql, { transaction });
    await run(`CREATE TABLE home_stat_counts (shard ${pg ? 'BIGINT' : 'INTEGER'} PRIMARY KEY,
      mailings BIGINT NOT NULL DEFAULT 0, active_mailings BIGINT NOT NULL DEFAULT 0,
      unique_clients BIGINT NOT NULL DEFAULT 0)`);
    await run('CREATE TABLE addressed_emails (email TEXT PRIMARY KEY, refs BIGINT NOT NULL)');
    await recountHomeStats(sequelize, transaction);
    await createHomeStatTriggers(sequelize, transaction);
  });
}

export async function down({ context: { sequelize } }: { context: MigrationContext }): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await dropHomeStatTriggers(sequelize, transaction);
    await sequelize.query('DROP TABLE addressed_emails', { transaction });
    await sequelize.query('DROP TABLE home_stat_counts', { transaction });
  });
}
