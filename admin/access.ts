// Who may do what in the back office, derived from the site's one permission map (src/web/permissions.ts):
// the same answers gate the HTTP routes (admin/auth.ts) and AdminJS's own `isAccessible`/`isVisible`.
import type { UserRole } from '../src/db/models/index.js';
import { roleCan, type Permission } from '../src/permissions.js';

/** Only these roles may sign in at /admin (customers and managers use the site). */
export const BACK_OFFICE_ROLES: readonly UserRole[] = ['admin', 'content_manager'];

export const RESOURCE_IDS = [
  'users',
  'clients',
  'messages',
  'mailings',
  'mailing_runs',
  'deliveries',
  'sender_identities',
  'posts',
] as const;
export type ResourceId = (typeof RESOURCE_IDS)[number];
export type ActionKind = 'read' | 'write';

/** The permission each resource needs to be read or changed; null: nobody changes it here. */
const RESOURCE_PERMISSIONS: Record<ResourceId, Record<ActionKind, Permission | null>> = {
  users: { read: 'users:oversee', write: 'users:oversee' },
  clients: { read: 'users:oversee', write: 'users:oversee' },
  messages: { read: 'users:oversee', write: 'users:oversee' },
  mailings: { read: 'mailings:oversee', write: 'mailings:oversee' },
  mailing_runs: { read: 'mailings:oversee', write: null },
  deliveries: { read: 'mailings:oversee', write: null },
  sender_identities: { read: 'mailings:oversee', write: null },
  posts: { read: 'posts:write', write: 'posts:write' },
};

/** AdminJS's built-in actions by what they do; any other action name is refused. */
const ACTION_KINDS: Record<string, ActionKind> = {
  list: 'read',
  show: 'read',
  search: 'read',
  new: 'write',
  edit: 'write',
  delete: 'write',
  bulkDelete: 'write',
};

export function isResourceId(value: string): value is ResourceId {
  return (RESOURCE_IDS as readonly string[]).includes(value);
}

/** True when the role may sign in to the back office. */
export function mayEnterBackOffice(role: UserRole | undefined): boolean {
  return role !== undefined && BACK_OFFICE_ROLES.includes(role);
}

/** True when the role may run the action on the resource (unknown resources and actions: no). */
export function mayUse(role: UserRole | undefined, resourceId: string, action: string): boolean {
  if (!role || !mayEnterBackOffice(role) || !isResourceId(resourceId)) return false;
  const kind = ACTION_KINDS[action];
  const permission = kind ? RESOURCE_PERMISSIONS[resourceId][kind] : null;
  return permission !== null && roleCan(role, permission);
}
