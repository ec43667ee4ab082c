// Password hashing with bcrypt: the only place that knows the cost factor and what bcrypt is given.
import { createHash } from 'node:crypto';
import bcrypt from 'bcryptjs';

export const BCRYPT_ROUNDS = 12;
export const MIN_PASSWORD_LENGTH = 10;

/**
 * Marks a hash of the password's digest. bcrypt reads only the first 72 bytes of what it is given, which a
 * Russian passphrase reaches at 36 letters, so past that point two passwords would be the same. It is given
 * the SHA-256 of the password instead, as base64: 44 ASCII bytes, no NUL (where some bcrypt libraries stop), and
 * every character of the password counts. bcrypt still salts and stretches it; hashes stored before this
 * (without the mark) are checked as they were and replaced at the next successful login.
 */
const DIGEST_MARK = 'sha256$';

function digestOf(plain: string): string {
  return createHash('sha256').update(plain, 'utf8').digest('base64');
}

/** Hashes a password for storage. */
export async function hashPassword(plain: string, rounds = BCRYPT_ROUNDS): Promise<string> {
  return DIGEST_MARK + (await bcrypt.hash(digestOf(plain), rounds));
}

/** Checks a login attempt against a stored hash in constant time. */
export function verifyPassword(plain: string, stored: string): Promise<boolean> {
  return stored.startsWith(DIGEST_MARK)
    ? bcrypt.compare(digestOf(plain), stored.slice(DIGEST_MARK.length))
    : bcrypt.compare(plain, stored);
}

/** True for a hash stored before passwords were digested: it should be replaced once the password is known. */
export function isLegacyHash(stored: string): boolean {
  return !stored.startsWith(DIGEST_MARK);
}
