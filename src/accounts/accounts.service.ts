// Account rules: registration with e-mail verification, login checks, password reset, the profile.
// No function here reveals to a caller whether an e-mail is registered.
import { User, type Language } from '../db/models/index.js';
import { normaliseEmail } from '../db/models/email.js';
import { ValidationError } from '../errors.js';
import { translator } from '../i18n/i18n.js';
import { senderOf } from '../delivery/mime.js';
import { endSessionsOf } from './sessions.js';
import { hashPassword, isLegacyHash, verifyPassword } from './password.js';
import { passwordProblem } from './password-rules.js';
import type { SystemMailer } from './system-mail.js';
import { consumeToken, issueToken, peekToken, revokeTokens } from './tokens.js';

export const VERIFY_TTL_MS = 24 * 60 * 60 * 1000;
export const RESET_TTL_MS = 60 * 60 * 1000;

export interface MailContext {
  mailer: SystemMailer;
  appUrl: string;
  /** Whether a form may send one more e-mail to this address now; counts it when it may (mail-throttle.ts). */
  mayMail(address: string): Promise<boolean>;
}

/** What a form that sends e-mail did: its work (said the same way whoever owns the address), or nothing yet. */
export type MailFormResult = 'done' | 'throttled';

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

/** Refuses a new password that breaks a rule for this account, as the password field's error. */
function assertAcceptablePassword(password: string, email: string): void {
  const problem = passwordProblem(password, email);
  if (problem) throw new ValidationError({ password: problem });
}

/**
 * Creates an unverified account and e-mails its verification link. For an e-mail already registered it
 * changes nothing and e-mails the owner instead, so the page the caller sees is the same either way, and so is
 * the time it takes: the password is hashed either way (bcrypt is nearly all of that time).
 */
export async function register(input: Registration, mail: MailContext): Promise<MailFormResult> {
  assertAcceptablePassword(input.password, input.email);
  const passwordHash = await hashPassword(input.password);
  if (!(await mail.mayMail(input.email))) return 'throttled';
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
    return 'done';
  }
  const user = await User.create({
    email: input.email,
    passwordHash,
    fullName: input.fullName,
    timeZone: input.timeZone,
    language: input.language,
    role: 'user',
  });
  await sendVerification(user, mail);
  return 'done';
}

/** Marks the link's account verified; false when the link is unknown, used or older than 24 h. */
export async function verifyEmail(secret: string, now = new Date()): Promise<boolean> {
  const userId = await consumeToken(secret, 'verify_email', now);
  if (!userId) return false;
  await User.update({ emailVerifiedAt: now }, { where: { id: userId, emailVerifiedAt: null } });
  return true;
}

/** Sends a fresh verification link to an unverified account (silently nothing otherwise). */
export async function resendVerification(email: string, mail: MailContext): Promise<MailFormResult> {
  if (!(await mail.mayMail(email))) return 'throttled';
  const user = await User.findOne({ where: { email: normaliseEmail(email) } });
  if (user && !user.emailVerifiedAt && !user.isBlocked) await sendVerification(user, mail);
  return 'done';
}

export type LoginOutcome =
  | { ok: true; user: User }
  | { ok: false; reason: 'invalid'; email: string }
  | { ok: false; reason: 'unverified'; email: string }
  | { ok: false; reason: 'blocked'; email: string; user: User };

/** Checks a login: a wrong e-mail and a wrong password look the same; the rest is said only to the owner. */
export async function authenticate(email: string, password: string): Promise<LoginOutcome> {
  const user = await User.findOne({ where: { email: normaliseEmail(email) } });
  const matches = user ? await verifyPassword(password, user.passwordHash) : await verifyPassword(password, DUMMY_HASH);
  if (!user || !matches) return { ok: false, reason: 'invalid', email };
  if (isLegacyHash(user.passwordHash)) await user.update({ passwordHash: await hashPassword(password) });
  if (user.isBlocked) return { ok: false, reason: 'blocked', email: user.email, user };
  if (!user.emailVerifiedAt) return { ok: false, reason: 'unverified', email: user.email };
  return { ok: true, user };
}

/** What the owner of a blocked account is told, at login and when an open session next asks for a page. */
export interface BlockNotice {
  reason: string | null;
  /** Whom to write to about it: the manager who blocked the account, or the service's sender address. */
  contact: string;
}

/** The manager's reason and whom to contact, for the account's owner only. */
export async function blockNoticeOf(user: User, serviceAddress: string): Promise<BlockNotice> {
  const manager = user.blockedById ? await User.findByPk(user.blockedById) : null;
  return { reason: user.blockedReason ?? null, contact: manager?.email ?? senderOf(serviceAddress).address };
}

// Compared against when the e-mail is unknown, so both answers take one bcrypt's time.
const DUMMY_HASH = 'sha256$$2b$12$5LKHl3CJSxWVA1uZNta.TOll0cPctFAUczzJXOE4P/cGUPHXUzS3G';

/** E-mails a reset link if the account exists (the caller always says the same thing). */
export async function requestPasswordReset(email: string, mail: MailContext): Promise<MailFormResult> {
  if (!(await mail.mayMail(email))) return 'throttled';
  const user = await User.findOne({ where: { email: normaliseEmail(email) } });
  if (!user || user.isBlocked) return 'done';
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
  return 'done';
}

/** True when a reset link can still be used (to decide whether to show the form). */
export async function isResetLinkValid(secret: string): Promise<boolean> {
  return (await peekToken(secret, 'reset_password')) !== null;
}

/**
 * Sets a new password from a reset link, ends every session of the account, and counts the e-mail as
 * verified (the link proved the address). False when the link is no longer valid; a password the rules
 * refuse throws a ValidationError and leaves the link usable.
 */
export async function resetPassword(secret: string, password: string, now = new Date()): Promise<boolean> {
  const holder = await peekToken(secret, 'reset_password', now);
  const owner = holder === null ? null : await User.findByPk(holder);
  if (!owner) return false;
  assertAcceptablePassword(password, owner.email);
  const userId = await consumeToken(secret, 'reset_password', now);
  if (userId !== owner.id) return false;
  const user = owner;
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

/** Saves the profile's name, time zone and language (the language switch changes only the language). */
export async function updateProfile(user: User, changes: Partial<ProfileChanges>): Promise<User> {
  return user.update(changes);
}

/** Changes the password after checking the current one; other sessions of the account end. */
export async function changePassword(user: User, current: string, next: string, keepSessionId: string): Promise<void> {
  if (!(await verifyPassword(current, user.passwordHash))) {
    throw new ValidationError({ currentPassword: 'forms.wrongPassword' });
  }
  assertAcceptablePassword(next, user.email);
  user.passwordHash = await hashPassword(next);
  await user.save();
  await endSessionsOf(user.id, keepSessionId);
}
