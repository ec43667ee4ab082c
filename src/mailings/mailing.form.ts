// The mailing form: name, message, clients (or all of them), a start–end window entered in the user's time
// zone, a periodicity, and the zone whose calendar the periods follow.
import { z } from 'zod';
import { PERIODICITIES } from '../db/models/index.js';
import { isKnownTimeZone, isStorableInstant, parseLocalDateTime } from '../forms/time-zones.js';
import { textField } from '../forms/text-fields.js';

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
      name: textField(200, { required: true }),
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
      periodicity: z.enum(PERIODICITIES, { error: 'forms.chooseOne' }),
      timeZone: z.string({ error: 'forms.required' }).refine(isKnownTimeZone, 'forms.timeZoneInvalid'),
    })
    .superRefine((values, ctx) => {
      if (values.endAt.getTime() <= values.startAt.getTime()) {
        ctx.addIssue({ code: 'custom', path: ['endAt'], message: 'forms.endBeforeStart' });
      } else if (values.endAt.getTime() <= now.getTime()) {
        ctx.addIssue({ code: 'custom', path: ['endAt'], message: 'forms.endInPast' });
      }
      if (!values.allClients && values.clientIds.length === 0) {
        ctx.addIssue({ code: 'custom', path: ['clientIds'], message: 'forms.chooseClients' });
      }
    });
}

export type MailingInput = z.infer<ReturnType<typeof mailingForm>>;
