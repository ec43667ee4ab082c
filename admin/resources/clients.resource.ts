// Customers' address books (admins only), changed through the clients service as the book's owner.
import type { ResourceWithOptions } from 'adminjs';
import { clientForm } from '../../src/clients/client.form.js';
import { createClient, deleteClient, findAnyClient, updateClient } from '../../src/clients/clients.service.js';
import { Client } from '../../src/db/models/index.js';
import { parsePayload } from '../handlers.js';
import { overlay } from '../fields.js';
import { gatedActions } from './common.js';
import { chosenOwner, ownerOf } from './owners.js';

const FIELDS = ['email', 'fullName', 'comment'] as const;

/** The clients resource: customers' address books, edited as their owner through the clients service. */
export function clientsResource(): ResourceWithOptions {
  return {
    resource: Client,
    options: {
      navigation: { name: 'Customers’ data', icon: 'Database' },
      sort: { sortBy: 'id', direction: 'desc' },
      listProperties: ['id', 'email', 'fullName', 'ownerId', 'unsubscribedAt', 'createdAt'],
      showProperties: ['id', 'email', 'fullName', 'comment', 'ownerId', 'unsubscribedAt', 'createdAt', 'updatedAt'],
      editProperties: ['ownerId', 'email', 'fullName', 'comment'],
      filterProperties: ['email', 'fullName', 'ownerId', 'unsubscribedAt'],
      properties: {
        comment: { type: 'textarea' },
      },
      actions: gatedActions(
        'clients',
        {
          create: async (payload) => {
            const owner = await chosenOwner(payload);
            return (await createClient(owner, parsePayload(clientForm, overlay({}, payload, FIELDS)))).id;
          },
          update: async (id, payload) => {
            const client = await findAnyClient(id);
            await updateClient(await ownerOf(client), id, parsePayload(clientForm, overlay(client, payload, FIELDS)));
          },
          remove: async (id) => deleteClient(await ownerOf(await findAnyClient(id)), id),
        },
        { new: ['ownerId', 'email', 'fullName', 'comment'], edit: ['email', 'fullName', 'comment'] },
      ),
    },
  };
}
