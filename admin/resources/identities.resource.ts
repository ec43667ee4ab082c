// Sender identities (admins): read here, so that a mailing's "Send as" can name one; customers make and delete
// them on the site (Domains), where their domain is proven.
import type { ResourceWithOptions } from 'adminjs';
import { SenderIdentity } from '../../src/db/models/index.js';
import { gatedActions } from './common.js';

/** The identities resource: read-only, titled by the From address. */
export function identitiesResource(): ResourceWithOptions {
  return {
    resource: SenderIdentity,
    options: {
      navigation: { name: 'Delivery', icon: 'Send' },
      sort: { sortBy: 'id', direction: 'desc' },
      listProperties: ['id', 'fromAddress', 'displayName', 'ownerId', 'domainId'],
      showProperties: ['id', 'fromAddress', 'displayName', 'replyTo', 'ownerId', 'domainId', 'createdAt'],
      filterProperties: ['fromAddress', 'ownerId'],
      properties: { fromAddress: { isTitle: true } },
      actions: gatedActions('sender_identities', {}),
    },
  };
}
