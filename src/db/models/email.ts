// E-mail addresses: one rule for which addresses we store and send to (every form, the CSV import, the back
// office, the CLI and the models use it), and their stored form, compared case-insensitively everywhere. The
// forms' field built on the rule is forms/email-field.ts (the models, loaded by `send`, need no form library).
import validator from 'validator';

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
