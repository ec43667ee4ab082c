// The report's one filter: whose mailings the viewer sees and what the form narrowed the runs to, as one
// parametrised SQL condition over the runs (alias r) and their mailings (alias m). The list, its count, the
// CSV export and the chart all read their runs through it, so a filter means the same on every screen. It is raw
// SQL rather than Sequelize conditions because the chart's per-day count over deliveries has to be raw anyway.
import type { User } from '../db/models/index.js';
import { seesEveryMailing } from '../permissions.js';
import type { ReportFilters } from './report.form.js';

/** An SQL condition and the values of its `:name` replacements. */
export interface SqlCondition {
  sql: string;
  replacements: Record<string, unknown>;
}

/** The runs a report reads, each joined to its mailing: the tables every condition here speaks of. */
export const REPORT_RUNS = 'mailing_runs r JOIN mailings m ON m.id = r.mailing_id';

/** The filters that narrow the runs, each with its condition; its replacement is named after the field. */
const RUN_CONDITIONS = [
  ['scheduledFrom', 'r.scheduled_at >= :scheduledFrom'],
  ['scheduledBefore', 'r.scheduled_at < :scheduledBefore'],
  ['mailingId', 'r.mailing_id = :mailingId'],
  ['mailingOwnerId', 'm.owner_id = :mailingOwnerId'],
  ['state', 'r.state = :state'],
] as const satisfies readonly (readonly [keyof ReportFilters, string])[];

/** The filters that narrow the runs (ReportFilters' typed days are only for the form and its links). */
export type RunFilters = Pick<ReportFilters, (typeof RUN_CONDITIONS)[number][0]>;

/** No filter: all the viewer's runs (for "has any run", one run by id and the mailing choices). */
export const ALL_RUNS: RunFilters = {
  scheduledFrom: null,
  scheduledBefore: null,
  mailingId: null,
  mailingOwnerId: null,
  state: null,
};

/** The one place a report decides what the viewer sees and what the filters keep (see the file's header). */
export function reportCondition(viewer: Pick<User, 'id' | 'role'>, filters: RunFilters): SqlCondition {
  // Only set filters become conditions, plain comparisons (no `:x IS NULL OR`): index-served on SQLite and PostgreSQL.
  const parts: string[] = [];
  const replacements: Record<string, unknown> = {};
  if (!seesEveryMailing(viewer.role)) {
    parts.push('m.owner_id = :ownerId');
    replacements.ownerId = viewer.id;
  }
  for (const [field, sql] of RUN_CONDITIONS) {
    const value = filters[field];
    if (value === null) continue;
    parts.push(sql);
    replacements[field] = value;
  }
  return { sql: parts.length > 0 ? parts.join(' AND ') : '1 = 1', replacements };
}

/** Both conditions at once, for a query that narrows the report's runs further (a page's keyset, one run). */
export function allOf(first: SqlCondition, second: SqlCondition): SqlCondition {
  return {
    sql: `(${first.sql}) AND (${second.sql})`,
    replacements: { ...first.replacements, ...second.replacements },
  };
}
