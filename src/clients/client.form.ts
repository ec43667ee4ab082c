// The client form (and each row of a CSV import): e-mail required, name and comment optional.
import { EMAIL_MAX } from '../db/models/email.js';
import { emailField, plainEmailCheck } from '../forms/email-field.js';
import { z } from 'zod';
import { plainTextCheck, textField } from '../forms/text-fields.js';

export { EMAIL_MAX };
export const FULL_NAME_MAX = 200;
export const COMMENT_MAX = 1000;

export const clientForm = z.object({
  email: emailField(),
  fullName: textField(FULL_NAME_MAX),
  comment: textField(COMMENT_MAX, { multiline: true }),
});

export type ClientInput = z.infer<typeof clientForm>;

const plainFullName = plainTextCheck(FULL_NAME_MAX);
const plainComment = plainTextCheck(COMMENT_MAX, { multiline: true });

/**
 * The client form's verdict without zod, built from the same checks (a CSV import checks a million rows): the
 * cleaned values when `clientForm` would accept them, else null, and then the form itself gives the message.
 */
export function plainClientInput(email: string, fullName: string, comment: string): ClientInput | null {
  const cleanEmail = plainEmailCheck(email);
  if (cleanEmail === null) return null;
  const cleanName = plainFullName(fullName);
  if (cleanName === null) return null;
  const cleanComment = plainComment(comment);
  return cleanComment === null ? null : { email: cleanEmail, fullName: cleanName, comment: cleanComment };
}
