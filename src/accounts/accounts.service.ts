// Account rules: registration with e-mail verification, login checks, password reset, the profile.
// No function here reveals to a caller whether an e-mail is registered.
import { User, type Language } from '../db/models/index.js';
import { normaliseEmail } from '../db/models/email.js';
import { ValidationError } from '../errors.js';
import { translator } from '../i18n/i18n.js';
import { endSessionsOf } from '../web/session-store.js';
import { hashPassword, verifyPassword } from './password.js';
import type { SystemMailer } from './system-mail.js';
import { consumeToken, issueToken, peekToken, revokeTokens } from './tokens.js';

export const VERIFY_TTL_MS = 24 * 60 * 60 * 1000;
export const RESET_TTL_MS = 60 * 60 * 1000;

export interface MailContext {
  mailer: SystemMailer;
  appUrl: string;
}

export interface Registration {
  email: string;
  password: string;
  fullName: string;
  timeZone: string;
  language: Language;
}

async function sendVerification(user: User, { mailer, appUrl }: MailContext): Promise<void> {
  await revokeTokens(user.id, 'verify_email');
  const secret = await issueToken(user.id, 'verify_email', VERIFY_TTL_MS);
  const t = translator(user.language);
  mailer.send({
    to: user.email,
    subject: t('emails.verify.subject'),
    text: t('emails.verify.text', { name: user.fullName || user.email, link: `${appUrl}/verify/${secret}` }),
  });
}

/**
 * Creates an unverified account and e-mails its verification link. For an e-mail already registered it
 * changes nothing and e-mails the owner instead, so the page the caller sees is the same either way.
 */
export async function register(input: Registration, mail: MailContext): Promise<void> {
  const existing = await User.findOne({ where: { email: normaliseEmail(input.email) } });
  if (existing) {
    const t = translator(existing.language);
    mail.mailer.send({
      to: existing.email,
      subject: t('emails.alreadyRegistered.subject'),
      text: t('emails.alreadyRegistered.text', {
        login: `${mail.appUrl}/login`,
        reset: `${mail.appUrl}/password/forgot`,
      }),
    });
    return;
  }
  const user = await User.create({
    email: input.email,
    passwordHash: await hashPassword(input.password),
    fullName: input.fullName,
    timeZone: input.timeZone,
    language: input.language,
    role: 'user',
  });
  await sendVerification(user, mail);
}

/** Marks the link's account verified; false when the link is unknown, used or older than 24 h. */
export async function verifyEmail(secret: string, now = new Date()): Promise<boolean> {
  const userId = await consumeToken(secret, 'verify_email', now);
  if (!userId) return false;
  await User.update({ emailVerifiedAt: now }, { where: { id: userId, emailVerifiedAt: null } });
  return true;
}

/** Sends a fresh verification link to an unverified account (silently nothing otherwise). */
export async function resendVerification(email: string, mail: MailContext): Promise<void> {
  const user = await User.findOne({ where: { email: normaliseEmail(email) } });
  if (user && !user.emailVerifiedAt && !user.isBlocked) await sendVerification(user, mail);
}

export type LoginOutcome =
  { ok: true; user: User } | { ok: false; reason: 'invalid' | 'unverified' | 'blocked'; email: string };

/** Checks a login: a wrong e-mail and a wrong password look the same; the rest is said only to the owner. */
export async function authenticate(email: string, password: string): Promise<LoginOutcome> {
  const user = await User.findOne({ where: { email: normaliseEmail(email) } });
  const matches = user ? await verifyPassword(password, user.passwordHash) : await verifyPassword(password, DUMMY_HASH);
  if (!user || !matches) return { ok: false, reason: 'invalid', email };
  if (user.isBlocked) return { ok: false, reason: 'blocked', email: user.email };
  if (!user.emailVerifiedAt) return { ok: false, reason: 'unverified', email: user.email };
  return { ok: true, user };
}

// Compared against when the e-mail is unknown, so both answers take one bcrypt's time.
const DUMMY_HASH = '$2b$12$5LKHl3CJSxWVA1uZNta.TOll0cPctFAUczzJXOE4P/cGUPHXUzS3G';

/** E-mails a reset link if the account exists (the caller always says the same thing). */
export async function requestPasswordReset(email: string, mail: MailContext): Promise<void> {
  const user = await User.findOne({ where: { email: normaliseEmail(email) } });
  if (!user || user.isBlocked) return;
  await revokeTokens(user.id, 'reset_password');
  const secret = await issueToken(user.id, 'reset_password', RESET_TTL_MS);
  const t = translator(user.language);
  mail.mailer.send({
    to: user.email,
    subject: t('emails.reset.subject'),
    text: t('emails.reset.text', {
      name: user.fullName || user.email,
      link: `${mail.appUrl}/password/reset/${secret}`,
    }),
  });
}

/** True when a reset link can still be used (to decide whether to show the form). */
export async function isResetLinkValid(secret: string): Promise<boolean> {
  return (await peekToken(secret, 'reset_password')) !== null;
}

/**
 * Sets a new password from a reset link, ends every session of the account, and counts the e-mail as
 * verified (the link proved the address). False when the link is no longer valid.
 */
export async function resetPassword(secret: string, password: string, now = new Date()): Promise<boolean> {
  const userId = await consumeToken(secret, 'reset_password', now);
  if (!userId) return false;
  const user = await User.findByPk(userId);
  if (!user) return false;
  user.passwordHash = await hashPassword(password);
  user.emailVerifiedAt ??= now;
  await user.save();
  await endSessionsOf(user.id);
  return true;
}

export interface ProfileChanges {
  fullName: string;
  timeZone: string;
  language: Language;
}

/** Saves the profile's name, time zone and language. */
export async function updateProfile(user: User, changes: ProfileChanges): Promise<User> {
  return user.update(changes);
}

/** Changes the password after checking the current one; other sessions of the account end. */
export async function changePassword(user: User, current: string, next: string, keepSessionId: string): Promise<void> {
  if (!(await verifyPassword(current, user.passwordHash))) {
    throw new ValidationError({ currentPassword: 'forms.wrongPassword' });
  }
  user.passwordHash = await hashPassword(next);
  await user.save();
  await endSessionsOf(user.id, keepSessionId);
}
