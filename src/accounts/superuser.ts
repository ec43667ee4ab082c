// Creating the first administrator from the command line.
import { isStorableEmail } from '../db/models/email.js';
import { User } from '../db/models/index.js';
import { AppError, ValidationError } from '../errors.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from './password.js';

export interface SuperuserInput {
  email: string;
  password: string;
  fullName?: string;
  timeZone: string;
}

/** Creates a verified admin account; refuses a taken e-mail or a short password. */
export async function createSuperuser(input: SuperuserInput): Promise<User> {
  const email = input.email.trim().toLowerCase();
  if (!isStorableEmail(email)) throw new ValidationError({ email: `"${input.email}" is not an e-mail address` });
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError({ password: `must be at least ${MIN_PASSWORD_LENGTH} characters` });
  }
  if (await User.findOne({ where: { email } }))
    throw new AppError(`a user with e-mail ${email} already exists`, 409, 'exists');
  return User.create({
    email,
    passwordHash: await hashPassword(input.password),
    fullName: input.fullName ?? 'Administrator',
    role: 'admin',
    emailVerifiedAt: new Date(),
    timeZone: input.timeZone,
  });
}
