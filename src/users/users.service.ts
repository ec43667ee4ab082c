// Managers' view of the accounts: the list with each user's activity, and blocking (which ends their sessions);
// staff's account writes (the back office): creating accounts, roles, verification, blocking, a new password.
import { ownerBlockChanged } from '../delivery/mailing-lifecycle.js';
import { col, fn, literal, Op } from 'sequelize';
import { hashPassword } from '../accounts/password.js';
import { passwordProblem } from '../accounts/password-rules.js';
import { endSessionsOf } from '../accounts/sessions.js';
import {
  boundDatabase,
  Client,
  Mailing,
  normaliseEmail,
  User,
  USER_ROLES,
  type Language,
  type UserRole,
} from '../db/models/index.js';
import { orderOf, type SortColumn } from '../forms/list-sort.js';
import { USER_SORT_DEFAULT, type UserSort } from './users.form.js';
import { searchTextContains } from '../db/search-text.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { AppError, found, ValidationError } from '../errors.js';

export interface UserRow {
  user: User;
  clientCount: number;
  mailingCount: number;
}

export interface UserListFilters {
  search: string;
  role: UserRole | null;
}

function listWhere(filters: UserListFilters) {
  // `User.` because the list joins the blocking manager (another User) in.
  const match = searchTextContains(boundDatabase(), 'User.search_text', filters.search);
  return {
    ...(filters.role ? { role: filters.role } : {}),
    ...(match ? { [Op.and]: [match] } : {}),
  };
}

// Roles rank from the least to the most powerful (USER_ROLES' order), not by their stored names; `User.` because
// the list joins the blocking manager in.
const ROLE_RANK = literal(
  `CASE "User"."role" ${USER_ROLES.map((role, i) => `WHEN '${role}' THEN ${i}`).join(' ')} END`,
);
const USER_ORDER: Record<UserSort['sort'], readonly SortColumn[]> = {
  email: ['email'],
  name: ['fullName', 'email'],
  role: [ROLE_RANK, 'email'],
  created: ['createdAt'],
};

async function countsBy(model: typeof Client | typeof Mailing, ownerIds: number[]): Promise<Map<number, number>> {
  const rows = (await (model as typeof Client).findAll({
    attributes: ['ownerId', [fn('COUNT', col('id')), 'count']],
    where: { ownerId: ownerIds },
    group: ['ownerId'],
    raw: true,
  })) as unknown as { ownerId: number; count: number | string }[];
  return new Map(rows.map((row) => [row.ownerId, Number(row.count)]));
}

/** One page of users (by e-mail unless sorted otherwise) with how many clients and mailings each has. */
export async function listUsers(
  filters: UserListFilters,
  page: { offset: number; limit: number },
  sort: UserSort = USER_SORT_DEFAULT,
): Promise<UserRow[]> {
  const users = await User.findAll({
    where: listWhere(filters),
    include: [{ model: User, as: 'blockedBy', attributes: ['id', 'email', 'fullName'] }],
    order: orderOf(sort, USER_ORDER),
    offset: page.offset,
    limit: page.limit,
  });
  const ids = users.map((user) => user.id);
  const [clients, mailings] = await Promise.all([countsBy(Client, ids), countsBy(Mailing, ids)]);
  return users.map((user) => ({
    user,
    clientCount: clients.get(user.id) ?? 0,
    mailingCount: mailings.get(user.id) ?? 0,
  }));
}

/** How many users match (for the pager). */
export function countUsers(filters: UserListFilters): Promise<number> {
  return User.count({ where: listWhere(filters) });
}

/**
 * Why `actor` may not block `user` (an i18n key), or null: nobody blocks themselves, and an admin is never
 * blocked. The site and the back office both ask this.
 */
export function blockRefusal(actor: Pick<User, 'id'>, user: Pick<User, 'id' | 'role'>): string | null {
  if (user.id === actor.id) return 'users.notYourself';
  if (user.role === 'admin') return 'users.notAdmins';
  return null;
}

/** An account by id, or null once it is gone: a signed-in session reloads it on every request, staff act as owners. */
export function findAccount(id: number): Promise<User | null> {
  return User.findByPk(id);
}

/** The block columns of an account blocked now by `actor` for `reason`. */
function blockedBy(actor: Pick<User, 'id'>, reason: string | null, now: Date) {
  return { isBlocked: true, blockedAt: now, blockedById: actor.id, blockedReason: reason || null };
}

const UNBLOCKED = { isBlocked: false, blockedAt: null, blockedById: null, blockedReason: null };

async function blockable(actor: User, id: number): Promise<User> {
  const user = await found(User.findByPk(id));
  const refusal = blockRefusal(actor, user);
  if (refusal) throw new AppError(refusal, 409, 'conflict');
  return user;
}

/**
 * Blocks an account with a reason. Its open sessions (site and back office) end at their next request, which
 * every request checks, and that request shows the owner the reason instead of the page.
 */
export async function blockUser(actor: User, id: number, reason: string, now = new Date()): Promise<User> {
  const user = await blockable(actor, id);
  await user.update(blockedBy(actor, reason, now));
  await ownerBlockChanged(user.id, true);
  return user;
}

/** Lets a blocked account log in again. */
export async function unblockUser(actor: User, id: number): Promise<User> {
  const user = await blockable(actor, id);
  await user.update(UNBLOCKED);
  await ownerBlockChanged(user.id, false);
  return user;
}

/** An account as staff write it; `newPassword` empty keeps the current one (a new account needs one). */
export interface StaffAccountInput {
  email: string;
  fullName: string;
  role: UserRole;
  language: Language;
  timeZone: string;
  emailVerifiedAt: Date | null;
  isBlocked: boolean;
  blockedReason: string | null;
  newPassword: string;
}

const EMAIL_TAKEN = 'users.staff.emailTaken';

async function ensureEmailFree(email: string, exceptId?: number): Promise<void> {
  const clash = await User.findOne({
    attributes: ['id'],
    where: { email: normaliseEmail(email), ...(exceptId ? { id: { [Op.ne]: exceptId } } : {}) },
  });
  if (clash) throw new ValidationError({ email: EMAIL_TAKEN });
}

/** The bcrypt hash of the new password, or null when none was given; a weak one is the field's error. */
async function passwordHashOf(input: StaffAccountInput): Promise<string | null> {
  if (!input.newPassword) return null;
  const problem = passwordProblem(input.newPassword, input.email);
  if (problem) throw new ValidationError({ newPassword: problem });
  return hashPassword(input.newPassword);
}

// The pre-check can lose a race with another request: the unique index has the last word, with the same error.
async function savingEmail<T>(save: () => Promise<T>): Promise<T> {
  try {
    return await save();
  } catch (error) {
    if (isUniqueViolation(error)) throw new ValidationError({ email: EMAIL_TAKEN });
    throw error;
  }
}

function profileOf(input: StaffAccountInput) {
  const { email, fullName, role, language, timeZone, emailVerifiedAt } = input;
  return { email, fullName, role, language, timeZone, emailVerifiedAt };
}

/** A staff member creates an account (blocked from the start if the form says so); the password is required. */
export async function createAccountByStaff(
  staff: Pick<User, 'id'>,
  input: StaffAccountInput,
  now = new Date(),
): Promise<User> {
  await ensureEmailFree(input.email);
  const passwordHash = await passwordHashOf(input);
  if (!passwordHash) throw new ValidationError({ newPassword: 'users.staff.setPassword' });
  const block = input.isBlocked ? blockedBy(staff, input.blockedReason, now) : UNBLOCKED;
  return savingEmail(() => User.create({ ...profileOf(input), passwordHash, ...block }));
}

/** Why staff may not make this change to the account (field and message), or null: the site's blocking rule. */
function staffRefusal(staff: Pick<User, 'id'>, user: User, input: StaffAccountInput): ValidationError | null {
  if (input.isBlocked && !user.isBlocked) {
    // Not yourself, never an admin (as the account is now, or as this edit would make it).
    const refusal = blockRefusal(staff, user) ?? blockRefusal(staff, { id: user.id, role: input.role });
    if (refusal) return new ValidationError({ isBlocked: refusal });
  }
  if (user.id === staff.id && input.role !== user.role) {
    return new ValidationError({ role: 'users.staff.notOwnRole' });
  }
  return null;
}

/** The block columns after a staff edit: a block already in place keeps who and when, only its reason changes. */
function blockAfter(staff: Pick<User, 'id'>, user: User, input: StaffAccountInput, now: Date) {
  if (!input.isBlocked) return UNBLOCKED;
  return user.isBlocked ? { blockedReason: input.blockedReason } : blockedBy(staff, input.blockedReason, now);
}

/**
 * A staff member changes an account. Blocking stamps who and when; every request checks the account, so its
 * open sessions (site and back office) end at their next one, which tells the owner why. A new password ends
 * them at once. Nobody blocks or demotes themselves, and admins are not blocked.
 */
export async function updateAccountByStaff(
  staff: Pick<User, 'id'>,
  id: number,
  input: StaffAccountInput,
  now = new Date(),
): Promise<User> {
  const user = await found(findAccount(id));
  const refusal = staffRefusal(staff, user, input);
  if (refusal) throw refusal;
  await ensureEmailFree(input.email, user.id);
  const passwordHash = await passwordHashOf(input);
  const wasBlocked = user.isBlocked;
  const block = blockAfter(staff, user, input, now);
  await savingEmail(() => user.update({ ...profileOf(input), ...block, ...(passwordHash ? { passwordHash } : {}) }));
  if (passwordHash) await endSessionsOf(user.id);
  if (input.isBlocked !== wasBlocked) await ownerBlockChanged(user.id, input.isBlocked);
  return user;
}
