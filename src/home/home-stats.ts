// The numbers on the home page, computed in one round trip and kept in the cache store until a mailing or client
// write says "stats-changed" (or the TTL passes, for writers in other processes such as a separate daemon).
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

// Active mailings: running and not disabled (a disabled mailing is not active, whatever its status says). Unique
// clients: distinct lower-cased e-mails among clients that at least one mailing is addressed to, across all owners
// (two customers mailing the same person count one recipient).
// An "all my clients" mailing is addressed to every client of its owner (recipients.ts).
const STATS_SQL = `
SELECT
  (SELECT COUNT(*) FROM mailings) AS mailings,
  (SELECT COUNT(*) FROM mailings WHERE status = 'running' AND NOT is_disabled) AS active_mailings,
  (SELECT COUNT(DISTINCT lower(c.email)) FROM clients c
     WHERE ${ADDRESSED_BY_A_MAILING}) AS unique_clients`;

/** Counts the statistics in the database (PostgreSQL returns counts as strings, hence Number). */
export async function computeHomeStats(sequelize: Sequelize): Promise<HomeStats> {
  const [row] = await sequelize.query<Record<'mailings' | 'active_mailings' | 'unique_clients', number | string>>(
    STATS_SQL,
    { type: QueryTypes.SELECT },
  );
  return {
    mailings: Number(row?.mailings ?? 0),
    activeMailings: Number(row?.active_mailings ?? 0),
    uniqueClients: Number(row?.unique_clients ?? 0),
  };
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
