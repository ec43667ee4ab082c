// E-mail addresses are compared case-insensitively everywhere, so they are stored trimmed and lower-cased.

/** The stored form of an e-mail address (the unique indexes use lower(email) as well). */
export function normaliseEmail(value: string): string {
  return value.trim().toLowerCase();
}
