// The mailing form: name, message, clients (or all of them), a start–end window entered in the user's time
// zone, a periodicity, the zone whose calendar the periods follow, and the identity it sends as; and how the list of
// mailings is sorted.
import { z } from 'zod';
import { PERIODICITIES, type Periodicity } from '../db/models/index.js';
import { isKnownTimeZone, isStorableInstant, parseLocalDateTime } from '../forms/time-zones.js';
import { textField } from '../forms/text-fields.js';
import { listSortForm, type ListSort } from '../forms/list-sort.js';

const idList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]))
  .pipe(
    z.array(
      z
        .string()
        .regex(/^[1-9]\d{0,15}$/, 'forms.invalid')
        .transform(Number),
    ),
  );

/** "Send as": an identity's id, or empty for the service's address (MAIL_FROM); whose it may be, the service says. */
export const senderIdentityField = z
  .union([z.string(), z.number(), z.null()], { error: 'forms.chooseOne' })
  .optional()
  .transform((value) => (value === undefined || value === null ? '' : String(value).trim()))
  .pipe(z.string().regex(/^$|^[1-9]\d{0,15}$/, 'forms.chooseOne'))
  .transform((value) => (value === '' ? null : Number(value)));

/** The fields of a schedule that read the same on the site and in the back office (dates are read by each door). */
export const scheduleFields = {
  name: textField(200, { required: true }),
  periodicity: z.enum(PERIODICITIES, { error: 'forms.chooseOne' }),
  timeZone: z.string({ error: 'forms.required' }).refine(isKnownTimeZone, 'forms.timeZoneInvalid'),
};

/** The part of a mailing its runs follow. */
export interface MailingWindow {
  startAt: Date;
  endAt: Date;
  periodicity: Periodicity;
  timeZone: string;
}

function sameWindow(one: MailingWindow, other: MailingWindow): boolean {
  return (
    one.startAt.getTime() === other.startAt.getTime() &&
    one.endAt.getTime() === other.endAt.getTime() &&
    one.periodicity === other.periodicity &&
    one.timeZone === other.timeZone
  );
}

/**
 * The one rule of a mailing's window, for the site's form and the back office alike (an i18n key for `endAt`, or
 * null): the end comes after the start, and a window being set must end in the future. The site's form always
 * sets one (the owner types it anew, to the minute); an edit given the `current` window that keeps it as it is
 * (a new name, disabling a mailing whose last run outlives its end) is not held to the clock.
 */
export function windowProblem(next: MailingWindow, now: Date, current?: MailingWindow): string | null {
  if (next.endAt.getTime() <= next.startAt.getTime()) return 'forms.endBeforeStart';
  if (current && sameWindow(next, current)) return null;
  return next.endAt.getTime() <= now.getTime() ? 'forms.endInPast' : null;
}

/** The schema depends on the reader's zone (dates are typed in it) and on the clock (the end must be ahead). */
export function mailingForm(userTimeZone: string, now = new Date()) {
  const localDateTime = z.string({ error: 'forms.dateInvalid' }).transform((value, ctx) => {
    const parsed = parseLocalDateTime(value.trim(), userTimeZone);
    if (!parsed || !isStorableInstant(parsed)) {
      ctx.addIssue({ code: 'custom', message: parsed ? 'forms.dateOutOfRange' : 'forms.dateInvalid' });
      return z.NEVER;
    }
    return parsed;
  });
  return z
    .object({
      ...scheduleFields,
      messageId: z
        .string({ error: 'forms.chooseOne' })
        .regex(/^[1-9]\d{0,15}$/, 'forms.chooseOne')
        .transform(Number),
      clientIds: idList,
      allClients: z
        .string()
        .optional()
        .transform((value) => value === 'on' || value === 'true' || value === '1'),
      startAt: localDateTime,
      endAt: localDateTime,
      senderIdentityId: senderIdentityField,
    })
    .superRefine((values, ctx) => {
      const problem = windowProblem(values, now);
      if (problem) ctx.addIssue({ code: 'custom', path: ['endAt'], message: problem });
      if (!values.allClients && values.clientIds.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['clientIds'], message: 'forms.chooseClients' });
      }
    });
}

export type MailingInput = z.infer<ReturnType<typeof mailingForm>>;

/** The columns the mailings list sorts by. */
export const MAILING_SORT_KEYS = ['name', 'created', 'nextRun', 'state'] as const;
export type MailingSortKey = (typeof MAILING_SORT_KEYS)[number];
export type MailingSort = ListSort<MailingSortKey>;

/** The mailings list's order unless asked otherwise: newest first. */
export const MAILING_SORT_DEFAULT: MailingSort = { sort: 'created', dir: 'desc' };

/** The mailings list's sort parameters (`sort`, `dir`); an unknown value is the default. */
export const mailingSortForm = listSortForm(MAILING_SORT_KEYS, MAILING_SORT_DEFAULT);
