// What makes a password acceptable: long enough and not on the list of commonly used passwords.
import { createRequire } from 'node:module';
import { MIN_PASSWORD_LENGTH } from './password.js';

const require = createRequire(import.meta.url);
// Mozilla's list of common passwords (Firefox Accounts), a CommonJS module with a `test` function.
const commonPasswords = require('fxa-common-password-list') as { test(password: string): boolean };

export const MAX_PASSWORD_LENGTH = 200;

/** The i18n key of the first rule a password breaks, or null when it is acceptable. */
export function passwordProblem(password: string, email = ''): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return 'forms.passwordTooShort';
  if (password.length > MAX_PASSWORD_LENGTH) return 'forms.passwordTooLong';
  const lowered = password.toLowerCase();
  if (commonPasswords.test(password) || commonPasswords.test(lowered)) return 'forms.passwordCommon';
  const localPart = email.toLowerCase().split('@')[0] ?? '';
  if (localPart.length >= 4 && lowered.includes(localPart)) return 'forms.passwordLikeEmail';
  return null;
}
