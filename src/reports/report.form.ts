// The report's filters, read from the query string: whole days in the user's zone, one of their mailings, a run
// state; and the run log's delivery-status filter. Anything else is a field error, never a failed request.
import { DateTime } from 'luxon';
import { z } from 'zod';
import { isStorableInstant } from '../forms/time-zones.js';
import { DELIVERY_STATUSES, RUN_STATES, type DeliveryStatus, type RunState } from '../db/models/index.js';

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const ID_PATTERN = /^[1-9]\d{0,14}$/;

/** What the report is narrowed to, ready for the queries (instants are in UTC). */
export interface ReportFilters {
  /** The first day as typed (yyyy-MM-dd), or '' for no lower bound. */
  from: string;
  /** The last day as typed (yyyy-MM-dd), or '' for no upper bound. */
  to: string;
  mailingId: number | null;
  /** One owner's runs (the manager's report); a customer has no choice here. */
  mailingOwnerId: number | null;
  state: RunState | null;
  /** Start of `from` in the user's zone. */
  scheduledFrom: Date | null;
  /** Start of the day after `to` in the user's zone (exclusive bound). */
  scheduledBefore: Date | null;
}

// A missing field is an empty one; a repeated field (an array) stays an array and fails as not a string.
const optionalText = z.preprocess(
  (value) => (value === undefined || value === null ? '' : value),
  z.string({ error: 'forms.invalid' }).trim(),
);

function dayIn(value: string, zone: string): DateTime | null {
  if (!DAY_PATTERN.test(value)) return null;
  const day = DateTime.fromISO(value, { zone });
  return day.isValid ? day.startOf('day') : null;
}

/** The start of the day after `day`: the report's exclusive bound; none after the last day a date may be. */
function dayAfter(day: string, zone: string): Date | null {
  const next = dayIn(day, zone)?.plus({ days: 1 }).toJSDate() ?? null;
  return next && isStorableInstant(next) ? next : null;
}

/** Builds the report filter schema for one user: their zone, and the ids of the mailings and owners they may pick. */
export function reportFilterForm(context: {
  timeZone: string;
  mailingIds: readonly number[];
  ownerIds?: readonly number[];
}) {
  const { timeZone, mailingIds, ownerIds = [] } = context;
  const oneOf = (ids: readonly number[]) =>
    optionalText.refine(
      (value) => value === '' || (ID_PATTERN.test(value) && ids.includes(Number(value))),
      'forms.chooseOne',
    );
  const day = optionalText
    .refine((value) => value === '' || dayIn(value, timeZone) !== null, 'reports.errors.day')
    .refine((value) => {
      const start = value === '' ? null : dayIn(value, timeZone);
      return start === null || isStorableInstant(start.toJSDate());
    }, 'forms.dateOutOfRange');
  return z
    .object({
      from: day,
      to: day,
      mailing: oneOf(mailingIds),
      owner: oneOf(ownerIds),
      state: optionalText.refine(
        (value) => value === '' || (RUN_STATES as readonly string[]).includes(value),
        'forms.chooseOne',
      ),
    })
    .superRefine((values, ctx) => {
      if (values.from && values.to && values.to < values.from) {
        ctx.addIssue({ code: 'custom', path: ['to'], message: 'reports.errors.toBeforeFrom' });
      }
    })
    .transform((values): ReportFilters => ({
      from: values.from,
      to: values.to,
      mailingId: values.mailing ? Number(values.mailing) : null,
      mailingOwnerId: values.owner ? Number(values.owner) : null,
      state: values.state ? (values.state as RunState) : null,
      scheduledFrom: values.from ? (dayIn(values.from, timeZone)?.toJSDate() ?? null) : null,
      scheduledBefore: values.to ? dayAfter(values.to, timeZone) : null,
    }));
}

/** The run log's filter: one delivery status, or all. */
export const runLogFilterForm = z
  .object({
    status: optionalText.refine(
      (value) => value === '' || (DELIVERY_STATUSES as readonly string[]).includes(value),
      'forms.chooseOne',
    ),
  })
  .transform((values): { status: DeliveryStatus | null } => ({
    status: values.status ? (values.status as DeliveryStatus) : null,
  }));

/** The filters as a query string (without `?`), for the pager and export links that must keep them. */
export function reportFilterQuery(filters: ReportFilters): string {
  const params = new URLSearchParams();
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  if (filters.mailingId) params.set('mailing', String(filters.mailingId));
  if (filters.mailingOwnerId) params.set('owner', String(filters.mailingOwnerId));
  if (filters.state) params.set('state', filters.state);
  return params.toString();
}
