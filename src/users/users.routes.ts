// The managers' users screen: every account with its activity; block (with a reason) and unblock.
import type { Request, Response, Router } from 'express';
import { USER_ROLES, type UserRole } from '../db/models/index.js';
import { can, currentUser } from '../web/middleware/current-user.js';
import { flash } from '../web/middleware/flash.js';
import { pageOf } from '../web/pagination.js';
import { idParam, lineParam, REASON_MAX, searchParam } from '../web/params.js';
import { redirectAfterAction } from '../web/redirects.js';
import { listHref, sortParams } from '../web/list-links.js';
import { readListSort } from '../forms/list-sort.js';
import { userSortForm } from './users.form.js';
import { routeTable } from '../web/route-table.js';
import { blockUser, countUsers, listUsers, unblockUser, type UserListFilters } from './users.service.js';

function filtersOf(query: Record<string, unknown>): UserListFilters {
  const search = searchParam(query.q);
  const role = (USER_ROLES as readonly unknown[]).includes(query.role) ? (query.role as UserRole) : null;
  return { search, role };
}

function backTo(body: unknown): string {
  const back = (body as Record<string, unknown> | undefined)?.back;
  return typeof back === 'string' && /^\/users(\?[^\s]*)?$/.test(back) ? back : '/users';
}

/** Registers /users routes (managers and admins). */
export function userRoutes(): Router {
  const oversee = can('users:oversee');
  return routeTable([
    ['get', '/users', oversee, listPage],
    ['post', '/users/:id/block', oversee, block],
    ['post', '/users/:id/unblock', oversee, unblock],
  ]);
}

async function listPage(req: Request, res: Response): Promise<void> {
  const filters = filtersOf(req.query);
  const sort = readListSort(userSortForm, req.query);
  const page = pageOf(req.query.page, await countUsers(filters));
  res.render('users/index', {
    title: req.t('users.title'),
    rows: await listUsers(filters, page, sort),
    page,
    filters,
    sort,
    href: listHref('/users', { q: filters.search, role: filters.role, ...sortParams(sort), page: page.number }),
    roles: USER_ROLES,
    back: req.originalUrl,
  });
}

async function block(req: Request, res: Response): Promise<void> {
  const reason = lineParam((req.body as Record<string, unknown>).reason, REASON_MAX);
  const user = await blockUser(currentUser(req), idParam(req), reason);
  flash(req, 'success', req.t('users.blocked', { email: user.email }));
  redirectAfterAction(req, res, backTo(req.body));
}

async function unblock(req: Request, res: Response): Promise<void> {
  const user = await unblockUser(currentUser(req), idParam(req));
  flash(req, 'success', req.t('users.unblocked', { email: user.email }));
  redirectAfterAction(req, res, backTo(req.body));
}
