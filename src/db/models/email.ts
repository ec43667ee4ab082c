// E-mail addresses: one rule for which addresses we store and send to (every form, the CSV import, the back
// office, the CLI and the models use it), and their stored form, compared case-insensitively everywhere.
import validator from 'validator';
import { z } from 'zod';

/** The longest address we store (RFC 5321's 256-octet path less its angle brackets). */
export const EMAIL_MAX = 254;

/**
 * Quotes, angle brackets, backslashes, whitespace and control characters: legal in a quoted local part, but
 * no customer's address needs them, and each can break out of a header, a log line or a page's inline script.
 */
const UNSAFE_IN_ADDRESS = /["<>\\\s\p{Cc}\u2028\u2029]/u;

/** True for an address we accept: a plain (unquoted) local part at a domain, nothing that could break out. */
export function isStorableEmail(value: string): boolean {
  if (value.length > EMAIL_MAX || UNSAFE_IN_ADDRESS.test(value)) return false;
  return validator.isEmail(value, { allow_display_name: false, allow_ip_domain: false });
}

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

/** A model validator refusing what `isStorableEmail` refuses, whoever writes the row. */
export const storableEmailValidator = {
  storable(value: unknown): void {
    if (typeof value !== 'string' || !isStorableEmail(value)) throw new Error('not an e-mail address we accept');
  },
};

/** The stored form of an e-mail address (the unique indexes use lower(email) as well). */
export function normaliseEmail(value: string): string {
  return value.trim().toLowerCase();
}
