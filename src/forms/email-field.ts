// The e-mail field of every form, on the one rule of which addresses we accept (db/models/email.ts).
import { z } from 'zod';
import { EMAIL_MAX, isStorableEmail } from '../db/models/email.js';

/** The e-mail field of every form: required, trimmed, at most EMAIL_MAX characters, and storable. */
export function emailField(tooLong = 'forms.tooLong') {
  return z
    .string({ error: 'forms.required' })
    .trim()
    .min(1, 'forms.required')
    .max(EMAIL_MAX, tooLong)
    .refine(isStorableEmail, 'forms.emailInvalid');
}

/**
 * The rule of `emailField` as a plain function (for the import's million rows, where zod costs most of the time):
 * the trimmed address when the field accepts `value`, else null (run the schema then, for its message).
 */
export function plainEmailCheck(value: string): string | null {
  const email = value.trim();
  return email.length >= 1 && isStorableEmail(email) ? email : null;
}
