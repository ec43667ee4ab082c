// Accounts in the back office: AdminJS's payload read into the staff account input (a password only ever arrives
// through the virtual "new password" field); hashing, blocking and the e-mail rule are the users feature's
// (src/users/users.service.ts).
import { z } from 'zod';
import { emailField } from '../src/forms/email-field.js';
import { LANGUAGES, USER_ROLES } from '../src/db/models/index.js';
import { NotFoundError } from '../src/errors.js';
import { isKnownTimeZone } from '../src/forms/time-zones.js';
import { textField } from '../src/forms/text-fields.js';
import { createAccountByStaff, findAccount, updateAccountByStaff } from '../src/users/users.service.js';
import { parsePayload, staffOf, type RecordWriter } from './handlers.js';
import { flag, optionalDate, optionalText, overlay } from './fields.js';

/** The fields staff edit, in the edit form's order. */
export const USER_FIELDS = [
  'email',
  'fullName',
  'role',
  'language',
  'timeZone',
  'emailVerifiedAt',
  'newPassword',
  'isBlocked',
  'blockedReason',
] as const;

const userForm = z.object({
  email: emailField(),
  fullName: textField(200),
  role: z.enum(USER_ROLES, { error: 'forms.chooseOne' }),
  language: z.enum(LANGUAGES, { error: 'forms.chooseOne' }),
  timeZone: z.string({ error: 'forms.required' }).refine(isKnownTimeZone, 'forms.timeZoneInvalid'),
  emailVerifiedAt: optionalDate,
  isBlocked: flag,
  blockedReason: optionalText(500),
  newPassword: z
    .union([z.string(), z.null()])
    .optional()
    .transform((value) => value ?? ''),
});

/** The users resource's writes; a new account is verified unless the form says otherwise. */
export function accountWriter(defaults: { timeZone: string }): RecordWriter {
  return {
    create: async (payload, context) => {
      const initial = { role: 'user', language: 'en', timeZone: defaults.timeZone, emailVerifiedAt: new Date() };
      const input = parsePayload(userForm, overlay(initial, payload, USER_FIELDS));
      return (await createAccountByStaff(staffOf(context), input)).id;
    },
    update: async (id, payload, context) => {
      const user = await findAccount(id);
      if (!user) throw new NotFoundError();
      const input = parsePayload(userForm, overlay(user, payload, USER_FIELDS));
      await updateAccountByStaff(staffOf(context), id, input);
    },
  };
}
