// The numbers on the home page, read from the counts that database triggers keep in the writes' own statements
// (migration 0032: home_stat_counts, one row per writing connection on PostgreSQL, summed here), so a read costs
// the same whatever the data; kept in the cache store until a mailing or client write says "stats-changed" (or the
// TTL passes, for writers in other processes such as a separate daemon).
import { QueryTypes, type Sequelize } from 'sequelize';
import { z } from 'zod';
import type { ComputedCache } from '../cache/computed-cache.js';
import { CACHE_KEYS } from '../cache/keys.js';
import { ADDRESSED_BY_A_MAILING } from '../delivery/recipients.js';

export const HOME_STATS_TTL_SECONDS = 60;

const homeStatsSchema = z.object({
  mailings: z.number().int().nonnegative(),
  activeMailings: z.number().int().nonnegative(),
  uniqueClients: z.number().int().nonnegative(),
});
export type HomeStats = z.infer<typeof homeStatsSchema>;

const KEPT_SQL = `SELECT SUM(mailings) AS mailings, SUM(active_mailings) AS active_mailings,
  SUM(unique_clients) AS unique_clients FROM home_stat_counts`;

// The same numbers counted from the tables themselves, the definition the kept counts must equal: active mailings
// are running and not disabled (a disabled mailing is not active, whatever its status says); unique clients are
// distinct lower-cased e-mails among clients that at least one mailing is addressed to, across all owners (two
// customers mailing the same person count one recipient); an "all my clients" mailing is addressed to every client
// of its owner (recipients.ts). It reads every client: a check, never a page's query.
const AFRESH_SQL = `
SELECT
  (SELECT COUNT(*) FROM mailings) AS mailings,
  (SELECT COUNT(*) FROM mailings WHERE status = 'running' AND NOT is_disabled) AS active_mailings,
  (SELECT COUNT(DISTINCT lower(c.email)) FROM clients c
     WHERE ${ADDRESSED_BY_A_MAILING}) AS unique_clients`;

type StatsRow = Record<'mailings' | 'active_mailings' | 'unique_clients', number | string | null>;

async function statsBy(sequelize: Sequelize, sql: string): Promise<HomeStats> {
  const [row] = await sequelize.query<StatsRow>(sql, { type: QueryTypes.SELECT });
  return {
    mailings: Number(row?.mailings ?? 0),
    activeMailings: Number(row?.active_mailings ?? 0),
    uniqueClients: Number(row?.unique_clients ?? 0),
  };
}

/** The kept statistics (PostgreSQL returns sums as strings, hence Number). */
export function computeHomeStats(sequelize: Sequelize): Promise<HomeStats> {
  return statsBy(sequelize, KEPT_SQL);
}

/** The statistics counted from the tables, to check the kept ones against (tests, a drift check). */
export function countHomeStatsAfresh(sequelize: Sequelize): Promise<HomeStats> {
  return statsBy(sequelize, AFRESH_SQL);
}

/** The statistics from the cache, computed on a miss. */
export function homeStats(
  cache: ComputedCache,
  sequelize: Sequelize,
  compute: (sequelize: Sequelize) => Promise<HomeStats> = computeHomeStats,
): Promise<HomeStats> {
  return cache.remember(CACHE_KEYS.homeStats, { ttlSeconds: HOME_STATS_TTL_SECONDS, schema: homeStatsSchema }, () =>
    compute(sequelize),
  );
}
