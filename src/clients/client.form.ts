// The client form (and each row of a CSV import): e-mail required, name and comment optional.
import { EMAIL_MAX, emailField } from '../db/models/email.js';
import { z } from 'zod';
import { textField } from '../forms/text-fields.js';

export { EMAIL_MAX };
export const FULL_NAME_MAX = 200;
export const COMMENT_MAX = 1000;

export const clientForm = z.object({
  email: emailField(),
  fullName: textField(FULL_NAME_MAX),
  comment: textField(COMMENT_MAX, { multiline: true }),
});

export type ClientInput = z.infer<typeof clientForm>;
