// Customers' letters (admins only), changed through the messages service as their owner; one in use by a
// mailing cannot be deleted.
import type { ResourceWithOptions } from 'adminjs';
import { LANGUAGES, Message } from '../../src/db/models/index.js';
import { messageForm } from '../../src/messages/message.form.js';
import { createMessage, deleteMessage, findAnyMessage, updateMessage } from '../../src/messages/messages.service.js';
import { parsePayload } from '../handlers.js';
import { overlay } from '../fields.js';
import { choices, gatedActions } from './common.js';
import { chosenOwner, ownerOf } from './owners.js';

const FIELDS = ['subject', 'bodyText', 'bodyHtml', 'language'] as const;

/** The messages resource: customers' letters, edited as their owner through the messages service. */
export function messagesResource(): ResourceWithOptions {
  return {
    resource: Message,
    options: {
      navigation: { name: 'Customers’ data', icon: 'Database' },
      sort: { sortBy: 'id', direction: 'desc' },
      listProperties: ['id', 'subject', 'ownerId', 'updatedAt'],
      showProperties: ['id', 'subject', 'ownerId', 'language', 'bodyText', 'bodyHtml', 'createdAt', 'updatedAt'],
      editProperties: ['ownerId', 'subject', 'bodyText', 'bodyHtml', 'language'],
      filterProperties: ['subject', 'ownerId'],
      properties: {
        bodyText: { type: 'textarea', props: { rows: 12 } },
        bodyHtml: { type: 'textarea', props: { rows: 12 } },
        language: { availableValues: choices(LANGUAGES) },
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
        {
          new: ['ownerId', 'subject', 'bodyText', 'bodyHtml', 'language'],
          edit: ['subject', 'bodyText', 'bodyHtml', 'language'],
        },
      ),
    },
  };
}
