// Mailings (admins): the schedule, the name and the disabled switch can be changed, and a mailing deleted,
// through the mailings feature's staff rules (src/mailings/staff-mailings.service.ts); new mailings are made by
// customers on the site (they need recipients).
import type { ResourceWithOptions } from 'adminjs';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { Mailing, PERIODICITIES } from '../../src/db/models/index.js';
import { scheduleFields, senderIdentityField } from '../../src/mailings/mailing.form.js';
import {
  changeMailingByStaff,
  deleteMailingByStaff,
  findAnyMailing,
} from '../../src/mailings/staff-mailings.service.js';
import { STORABLE_TIME_ZONES } from '../../src/forms/time-zones.js';
import { parsePayload, staffOf, type RecordWriter } from '../handlers.js';
import { flag, optionalText, overlay, requiredDate } from '../fields.js';
import { choices, gatedActions, type ResourceDeps } from './common.js';

const FIELDS = [
  'name',
  'startAt',
  'endAt',
  'periodicity',
  'timeZone',
  'senderIdentityId',
  'isDisabled',
  'disabledReason',
] as const;

/** The edit form as AdminJS posts it; the window's and the identity's rules are the service's (as the site's). */
const staffMailingForm = z.object({
  ...scheduleFields,
  senderIdentityId: senderIdentityField,
  startAt: requiredDate,
  endAt: requiredDate,
  isDisabled: flag,
  disabledReason: optionalText(500),
});

const SHOWN = [
  'id',
  'name',
  'ownerId',
  'messageId',
  'allClients',
  'status',
  'startAt',
  'endAt',
  'periodicity',
  'timeZone',
  'senderIdentityId',
  'nextRunAt',
  'isDisabled',
  'disabledAt',
  'disabledById',
  'disabledReason',
  'createdAt',
  'updatedAt',
];

function mailingWriter(sequelize: Sequelize): RecordWriter {
  return {
    update: async (id, payload, context) => {
      const input = parsePayload(staffMailingForm, overlay(await findAnyMailing(id), payload, FIELDS));
      await changeMailingByStaff(sequelize, staffOf(context), id, input);
    },
    remove: (id) => deleteMailingByStaff(sequelize, id),
  };
}

/** The mailings resource: admins change schedules and the disabled switch, or delete, through the staff rules. */
export function mailingsResource(deps: ResourceDeps): ResourceWithOptions {
  return {
    resource: Mailing,
    options: {
      navigation: { name: 'Delivery', icon: 'Send' },
      sort: { sortBy: 'id', direction: 'desc' },
      listProperties: ['id', 'name', 'ownerId', 'status', 'periodicity', 'nextRunAt', 'isDisabled'],
      showProperties: SHOWN,
      editProperties: [...FIELDS],
      filterProperties: ['name', 'ownerId', 'status', 'periodicity', 'isDisabled'],
      properties: {
        periodicity: { availableValues: choices(PERIODICITIES) },
        timeZone: { availableValues: choices(STORABLE_TIME_ZONES) },
        disabledReason: { type: 'textarea' },
        allClients: { description: 'allClientsHelp' },
        // One of the owner's identities on a verified domain, or empty for MAIL_FROM (the service says which).
        senderIdentityId: { reference: 'sender_identities', description: 'senderIdentityHelp' },
        isDisabled: { description: 'isDisabledHelp' },
      },
      actions: gatedActions('mailings', mailingWriter(deps.sequelize)),
    },
  };
}
