// Creating the first administrator from the command line.
import { isStorableEmail } from '../db/models/email.js';
import { User } from '../db/models/index.js';
import { AppError, ValidationError } from '../errors.js';
import { translator } from '../i18n/i18n.js';
import { hashPassword } from './password.js';
import { passwordProblem } from './password-rules.js';

export interface SuperuserInput {
  email: string;
  password: string;
  fullName?: string;
  timeZone: string;
}

/** Creates a verified admin account; refuses a taken e-mail or a password the account rules refuse. */
export async function createSuperuser(input: SuperuserInput): Promise<User> {
  const email = input.email.trim().toLowerCase();
  if (!isStorableEmail(email)) throw new ValidationError({ email: `"${input.email}" is not an e-mail address` });
  const problem = passwordProblem(input.password, email);
  if (problem) throw new ValidationError({ password: translator('en')(problem) });
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
