// Mailings (admins): the schedule, the name and the disabled switch can be changed, and a mailing deleted, with
// the delivery engine told each time; new mailings are made by customers on the site (they need recipients).
import type { ResourceWithOptions } from 'adminjs';
import { z } from 'zod';
import { Mailing, PERIODICITIES } from '../../src/db/models/index.js';
import { refreshMailing, setMailingDisabled } from '../../src/delivery/mailing-lifecycle.js';
import { NotFoundError } from '../../src/errors.js';
import { deleteMailing } from '../../src/mailings/mailings.service.js';
import { TIME_ZONES, isKnownTimeZone } from '../../src/forms/time-zones.js';
import { actorOf, fieldError, parsePayload } from '../handlers.js';
import { flag, optionalText, overlay, requiredDate } from '../fields.js';
import { textField } from '../../src/forms/text-fields.js';
import { choices, gatedActions, type ResourceDeps } from './common.js';
import { ownerOf } from './owners.js';

const FIELDS = ['name', 'startAt', 'endAt', 'periodicity', 'timeZone', 'isDisabled', 'disabledReason'] as const;

const mailingForm = z
  .object({
    name: textField(200, { required: true }),
    startAt: requiredDate,
    endAt: requiredDate,
    periodicity: z.enum(PERIODICITIES, { error: 'forms.chooseOne' }),
    timeZone: z.string({ error: 'forms.required' }).refine(isKnownTimeZone, 'forms.timeZoneInvalid'),
    isDisabled: flag,
    disabledReason: optionalText(500),
  })
  .refine((input) => input.endAt.getTime() > input.startAt.getTime(), {
    path: ['endAt'],
    message: 'forms.endBeforeStart',
  });

async function existing(id: number): Promise<Mailing> {
  const mailing = await Mailing.findByPk(id);
  if (!mailing) throw new NotFoundError();
  return mailing;
}

export function mailingsResource(deps: ResourceDeps): ResourceWithOptions {
  const { sequelize } = deps;
  return {
    resource: Mailing,
    options: {
      navigation: { name: 'Delivery', icon: 'Send' },
      sort: { sortBy: 'id', direction: 'desc' },
      listProperties: ['id', 'name', 'ownerId', 'status', 'periodicity', 'nextRunAt', 'isDisabled'],
      showProperties: [
        'id',
        'name',
        'ownerId',
        'messageId',
        'status',
        'startAt',
        'endAt',
        'periodicity',
        'timeZone',
        'nextRunAt',
        'isDisabled',
        'disabledAt',
        'disabledById',
        'disabledReason',
        'createdAt',
        'updatedAt',
      ],
      editProperties: [...FIELDS],
      filterProperties: ['name', 'ownerId', 'status', 'periodicity', 'isDisabled'],
      properties: {
        periodicity: { availableValues: choices(PERIODICITIES) },
        timeZone: { availableValues: choices(TIME_ZONES) },
        disabledReason: { type: 'textarea' },
        isDisabled: { description: 'A disabled mailing starts no runs; a run under way is cancelled.' },
      },
      actions: gatedActions('mailings', {
        update: async (id, payload, context) => {
          const mailing = await existing(id);
          const current = {
            name: mailing.name,
            startAt: mailing.startAt,
            endAt: mailing.endAt,
            periodicity: mailing.periodicity,
            timeZone: mailing.timeZone,
            isDisabled: mailing.isDisabled,
            disabledReason: mailing.disabledReason,
          };
          const input = parsePayload(mailingForm, overlay(current, payload, FIELDS));
          const rescheduled =
            input.startAt.getTime() !== mailing.startAt.getTime() ||
            input.endAt.getTime() !== mailing.endAt.getTime() ||
            input.periodicity !== mailing.periodicity ||
            input.timeZone !== mailing.timeZone;
          if (rescheduled && input.endAt.getTime() <= Date.now()) throw fieldError('endAt', 'forms.endInPast');
          const { name, startAt, endAt, periodicity, timeZone } = input;
          await mailing.update({ name, startAt, endAt, periodicity, timeZone });
          if (input.isDisabled !== mailing.isDisabled) {
            // Disabling cancels a run under way and records who did it; either way the schedule is recomputed.
            const by = { userId: actorOf(context).userId, reason: input.disabledReason ?? undefined };
            await setMailingDisabled(sequelize, id, input.isDisabled, by);
          } else {
            if (input.isDisabled) await mailing.update({ disabledReason: input.disabledReason });
            await refreshMailing(id);
          }
        },
        remove: async (id) => deleteMailing(sequelize, await ownerOf((await existing(id)).ownerId), id),
      }),
    },
  };
}
