// Managers' view of the accounts: the list with each user's activity, and blocking (which ends their sessions).
import { ownerBlockChanged } from '../delivery/mailing-lifecycle.js';
import { col, fn, Op, where } from 'sequelize';
import { Client, Mailing, User, type UserRole } from '../db/models/index.js';
import { AppError, NotFoundError } from '../errors.js';

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
  // `%` and `_` typed by a manager act as wildcards; harmless in a search of names.
  const pattern = `%${filters.search.toLowerCase()}%`;
  return {
    ...(filters.role ? { role: filters.role } : {}),
    ...(filters.search
      ? {
          [Op.or]: [{ email: { [Op.like]: pattern } }, where(fn('lower', col('User.full_name')), Op.like, pattern)],
        }
      : {}),
  };
}

async function countsBy(model: typeof Client | typeof Mailing, ownerIds: number[]): Promise<Map<number, number>> {
  const rows = (await (model as typeof Client).findAll({
    attributes: ['ownerId', [fn('COUNT', col('id')), 'count']],
    where: { ownerId: ownerIds },
    group: ['ownerId'],
    raw: true,
  })) as unknown as { ownerId: number; count: number | string }[];
  return new Map(rows.map((row) => [row.ownerId, Number(row.count)]));
}

/** One page of users (by e-mail) with how many clients and mailings each has. */
export async function listUsers(filters: UserListFilters, page: { offset: number; limit: number }): Promise<UserRow[]> {
  const users = await User.findAll({
    where: listWhere(filters),
    include: [{ model: User, as: 'blockedBy', attributes: ['id', 'email', 'fullName'] }],
    order: [['email', 'ASC']],
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

async function blockable(actor: User, id: number): Promise<User> {
  const user = await User.findByPk(id);
  if (!user) throw new NotFoundError();
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
  await user.update({ isBlocked: true, blockedAt: now, blockedById: actor.id, blockedReason: reason || null });
  await ownerBlockChanged(user.id, true);
  return user;
}

/** Lets a blocked account log in again. */
export async function unblockUser(actor: User, id: number): Promise<User> {
  const user = await blockable(actor, id);
  await user.update({ isBlocked: false, blockedAt: null, blockedById: null, blockedReason: null });
  await ownerBlockChanged(user.id, false);
  return user;
}
