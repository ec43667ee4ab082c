// Customers' letters (admins only), changed through the messages service as their owner; one in use by a
// mailing cannot be deleted.
import type { ResourceWithOptions } from 'adminjs';
import { Message } from '../../src/db/models/index.js';
import { messageForm } from '../../src/messages/message.form.js';
import { createMessage, deleteMessage, findAnyMessage, updateMessage } from '../../src/messages/messages.service.js';
import { parsePayload } from '../handlers.js';
import { overlay } from '../fields.js';
import { gatedActions } from './common.js';
import { chosenOwner, ownerOf } from './owners.js';

const FIELDS = ['subject', 'bodyText', 'bodyHtml'] as const;

/** The messages resource: customers' letters, edited as their owner through the messages service. */
export function messagesResource(): ResourceWithOptions {
  return {
    resource: Message,
    options: {
      navigation: { name: 'Customers’ data', icon: 'Database' },
      sort: { sortBy: 'id', direction: 'desc' },
      listProperties: ['id', 'subject', 'ownerId', 'updatedAt'],
      showProperties: ['id', 'subject', 'ownerId', 'bodyText', 'bodyHtml', 'createdAt', 'updatedAt'],
      editProperties: ['ownerId', 'subject', 'bodyText', 'bodyHtml'],
      filterProperties: ['subject', 'ownerId'],
      properties: {
        bodyText: { type: 'textarea', props: { rows: 12 } },
        bodyHtml: { type: 'textarea', props: { rows: 12 } },
      },
      actions: gatedActions(
        'messages',
        {
          create: async (payload) => {
            const owner = await chosenOwner(payload);
            return (await createMessage(owner, parsePayload(messageForm, overlay({}, payload, FIELDS)))).id;
          },
          update: async (id, payload) => {
            const message = await findAnyMessage(id);
            const input = parsePayload(messageForm, overlay(message, payload, FIELDS));
            await updateMessage(await ownerOf(message), id, input);
          },
          remove: async (id) => deleteMessage(await ownerOf(await findAnyMessage(id)), id),
        },
        { new: ['ownerId', 'subject', 'bodyText', 'bodyHtml'], edit: ['subject', 'bodyText', 'bodyHtml'] },
      ),
    },
  };
}
