// One permission map (role → resource:action) used by every route, the back office and the tests.
import type { UserRole } from './db/models/index.js';

/** What a customer may do with their own data. */
const CUSTOMER = [
  'account:manage',
  'clients:read',
  'clients:write',
  'messages:read',
  'messages:write',
  'mailings:read',
  'mailings:write',
  'mailings:send',
  'reports:read',
  'suppressions:read',
  'suppressions:write',
] as const;

/**
 * Beyond a customer's own: `suppressions:oversee` reads every owner's list (managers, admins); `suppressions:lift`
 * removes any owner's entry, complaints and unsubscribes included (admins only).
 */
export const PERMISSIONS = [
  ...CUSTOMER,
  'mailings:oversee',
  'users:oversee',
  'posts:write',
  'suppressions:oversee',
  'suppressions:lift',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ROLE_PERMISSIONS: Record<UserRole, ReadonlySet<Permission>> = {
  user: new Set(CUSTOMER),
  manager: new Set<Permission>(['account:manage', 'mailings:oversee', 'users:oversee', 'suppressions:oversee']),
  content_manager: new Set<Permission>(['account:manage', 'posts:write']),
  admin: new Set<Permission>(PERMISSIONS),
};

/** The single question every door asks: may this role do this? */
export function roleCan(role: UserRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

/** Managers and admins see every customer's mailings and reports; everyone else only their own. */
export function seesEveryMailing(role: UserRole): boolean {
  return roleCan(role, 'mailings:oversee');
}
