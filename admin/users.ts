// Account writes from the back office: a password is only ever stored as a bcrypt hash (set through a virtual
// "new password" field), and blocking records who, when and why.
import { Op } from 'sequelize';
import { isUniqueViolation } from '../src/db/unique-violation.js';
import { emailField } from '../src/db/models/email.js';
import { z } from 'zod';
import { hashPassword } from '../src/accounts/password.js';
import { passwordProblem } from '../src/accounts/password-rules.js';
import { LANGUAGES, normaliseEmail, User, USER_ROLES } from '../src/db/models/index.js';
import { ownerBlockChanged } from '../src/delivery/mailing-lifecycle.js';
import { NotFoundError } from '../src/errors.js';
import { endSessionsOf } from '../src/accounts/sessions.js';
import { isKnownTimeZone } from '../src/forms/time-zones.js';
import { fieldError, parsePayload, type Payload } from './handlers.js';
import { flag, optionalDate, optionalText, overlay } from './fields.js';
import { textField } from '../src/forms/text-fields.js';
import { blockRefusal } from '../src/users/users.service.js';

export const USER_FIELDS = [
  'email',
  'fullName',
  'role',
  'language',
  'timeZone',
  'emailVerifiedAt',
  'isBlocked',
  'blockedReason',
  'newPassword',
] as const;

const EMAIL_TAKEN = 'An account with this e-mail already exists.';

const userForm = z.object({
  email: emailField(),
  fullName: textField(200),
  role: z.enum(USER_ROLES, { error: 'forms.chooseOne' }),
  language: z.enum(LANGUAGES, { error: 'forms.chooseOne' }),
  timeZone: z.string({ error: 'forms.required' }).refine(isKnownTimeZone, 'forms.timeZoneInvalid'),
  emailVerifiedAt: optionalDate,
  isBlocked: flag,
  blockedReason: optionalText(500),
  newPassword: z
    .union([z.string(), z.null()])
    .optional()
    .transform((value) => value ?? ''),
});

type UserInput = z.infer<typeof userForm>;

async function ensureEmailFree(email: string, exceptId?: number): Promise<void> {
  const clash = await User.findOne({
    attributes: ['id'],
    where: { email: normaliseEmail(email), ...(exceptId ? { id: { [Op.ne]: exceptId } } : {}) },
  });
  if (clash) throw fieldError('email', EMAIL_TAKEN);
}

/** The bcrypt hash of the new password, or null when none was given; a weak one is a field error. */
async function passwordHashOf(input: UserInput): Promise<string | null> {
  if (!input.newPassword) return null;
  const problem = passwordProblem(input.newPassword, input.email);
  if (problem) throw fieldError('newPassword', problem);
  return hashPassword(input.newPassword);
}

async function saving<T>(save: () => Promise<T>): Promise<T> {
  try {
    return await save();
  } catch (error) {
    if (isUniqueViolation(error)) throw fieldError('email', EMAIL_TAKEN);
    throw error;
  }
}

/** Creates an account (verified unless the form says otherwise); the password is required. */
export async function createUser(actorId: number, payload: Payload, defaults: { timeZone: string }): Promise<number> {
  const initial = { role: 'user', language: 'en', timeZone: defaults.timeZone, emailVerifiedAt: new Date() };
  const input = parsePayload(userForm, overlay(initial, payload, USER_FIELDS));
  if (!input.newPassword) throw fieldError('newPassword', 'Set a password for the new account.');
  await ensureEmailFree(input.email);
  const passwordHash = (await passwordHashOf(input)) as string;
  const user = await saving(() =>
    User.create({
      email: input.email,
      passwordHash,
      fullName: input.fullName,
      role: input.role,
      language: input.language,
      timeZone: input.timeZone,
      emailVerifiedAt: input.emailVerifiedAt,
      isBlocked: input.isBlocked,
      blockedAt: input.isBlocked ? new Date() : null,
      blockedById: input.isBlocked ? actorId : null,
      blockedReason: input.isBlocked ? input.blockedReason : null,
    }),
  );
  return user.id;
}

/**
 * Changes an account. Blocking stamps blockedAt/blockedBy; every request checks the account, so its open
 * sessions (site and back office) end at their next one, which tells the owner why. A new password ends them
 * at once. Nobody blocks or demotes themselves here.
 */
export async function updateUser(actorId: number, id: number, payload: Payload): Promise<void> {
  const user = await User.findByPk(id);
  if (!user) throw new NotFoundError();
  const current = {
    email: user.email,
    fullName: user.fullName,
    role: user.role,
    language: user.language,
    timeZone: user.timeZone,
    emailVerifiedAt: user.emailVerifiedAt,
    isBlocked: user.isBlocked,
    blockedReason: user.blockedReason,
  };
  const input = parsePayload(userForm, overlay(current, payload, USER_FIELDS));
  if (input.isBlocked && !user.isBlocked) {
    // The site's rule: not yourself, never an admin (as the account is now, or as this edit would make it).
    const refusal =
      blockRefusal({ id: actorId }, user) ?? blockRefusal({ id: actorId }, { id: user.id, role: input.role });
    if (refusal) throw fieldError('isBlocked', refusal);
  }
  if (user.id === actorId && input.role !== user.role) throw fieldError('role', 'You cannot change your own role.');
  await ensureEmailFree(input.email, user.id);
  const passwordHash = await passwordHashOf(input);
  const wasBlocked = user.isBlocked;
  const blocking = input.isBlocked && !wasBlocked;
  const block = input.isBlocked
    ? {
        isBlocked: true,
        blockedAt: blocking ? new Date() : user.blockedAt,
        blockedById: blocking ? actorId : user.blockedById,
        blockedReason: input.blockedReason,
      }
    : { isBlocked: false, blockedAt: null, blockedById: null, blockedReason: null };
  await saving(() =>
    user.update({
      email: input.email,
      fullName: input.fullName,
      role: input.role,
      language: input.language,
      timeZone: input.timeZone,
      emailVerifiedAt: input.emailVerifiedAt,
      ...block,
      ...(passwordHash ? { passwordHash } : {}),
    }),
  );
  if (passwordHash) await endSessionsOf(user.id);
  if (input.isBlocked !== wasBlocked) await ownerBlockChanged(user.id, input.isBlocked);
}
