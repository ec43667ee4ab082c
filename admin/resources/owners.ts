// The customer behind a record: the site's services take the owner, so back-office writes act as them.
import type { User } from '../../src/db/models/index.js';
import { findAccount } from '../../src/users/users.service.js';
import { NotFoundError } from '../../src/errors.js';
import { fieldError, type Payload } from '../handlers.js';
import { recordId } from '../fields.js';

/** The owner chosen in a "new" form (the `ownerId` reference). */
export async function chosenOwner(payload: Payload): Promise<User> {
  const id = recordId.safeParse(payload.ownerId);
  const owner = id.success ? await findAccount(id.data) : null;
  if (!owner) throw fieldError('ownerId', 'forms.chooseOne');
  return owner;
}

/** The owner of an existing record. */
export async function ownerOf(record: { ownerId: number }): Promise<User> {
  const owner = await findAccount(record.ownerId);
  if (!owner) throw new NotFoundError();
  return owner;
}
