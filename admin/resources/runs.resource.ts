// Mailing runs and the delivery log (admins): read-only here; runs are paused, resumed or cancelled on the site.
import type { ResourceWithOptions } from 'adminjs';
import { Delivery, DELIVERY_STATUSES, MailingRun, RUN_STATES } from '../../src/db/models/index.js';
import { choices, gatedActions } from './common.js';

export function mailingRunsResource(): ResourceWithOptions {
  return {
    resource: MailingRun,
    options: {
      navigation: { name: 'Delivery', icon: 'Send' },
      sort: { sortBy: 'id', direction: 'desc' },
      listProperties: [
        'id',
        'mailingId',
        'number',
        'scheduledAt',
        'state',
        'totalCount',
        'sentCount',
        'failedCount',
        'unknownCount',
      ],
      filterProperties: ['mailingId', 'state', 'scheduledAt'],
      properties: { state: { availableValues: choices(RUN_STATES) } },
      actions: gatedActions('mailing_runs', {}),
    },
  };
}

export function deliveriesResource(): ResourceWithOptions {
  return {
    resource: Delivery,
    options: {
      navigation: { name: 'Delivery', icon: 'Send' },
      sort: { sortBy: 'id', direction: 'desc' },
      listProperties: ['id', 'runId', 'email', 'status', 'attemptCount', 'lastAttemptAt', 'sentAt'],
      filterProperties: ['runId', 'clientId', 'email', 'status', 'errorClass'],
      properties: {
        status: { availableValues: choices(DELIVERY_STATUSES) },
        smtpResponse: { type: 'textarea' },
      },
      actions: gatedActions('deliveries', {}),
    },
  };
}
