// Password hashing with bcrypt: the only place that knows the cost factor.
import bcrypt from 'bcryptjs';

export const BCRYPT_ROUNDS = 12;
export const MIN_PASSWORD_LENGTH = 10;

/** Hashes a password for storage. */
export function hashPassword(plain: string, rounds = BCRYPT_ROUNDS): Promise<string> {
  return bcrypt.hash(plain, rounds);
}

/** Checks a login attempt against a stored hash in constant time. */
export function verifyPassword(plain: string, hash: string): Promise<boolean> {
  return bcrypt.compare(plain, hash);
}
