// Accounts (admins only): roles, verification, blocking and a new password; the hash never leaves the server.
import type { BaseRecord, Filter, ResourceWithOptions } from 'adminjs';
import type { Model } from 'sequelize';
import { LANGUAGES, User, USER_ROLES } from '../../src/db/models/index.js';
import { STORABLE_TIME_ZONES } from '../../src/forms/time-zones.js';
import { adminJs } from '../adminjs.js';
import { accountWriter, USER_FIELDS } from '../users.js';
import { choices, gatedActions, type ResourceDeps } from './common.js';

const SECRET_COLUMNS = ['passwordHash'];

function withoutSecrets<T extends BaseRecord | null>(record: T): T {
  if (record) for (const column of SECRET_COLUMNS) delete record.params[column];
  return record;
}

/**
 * The resource as declared, its model read through an adapter without password hashes: every read AdminJS makes
 * (lists, record pages, search, and the author/owner shown on other resources' records) goes through these methods.
 */
function withoutPasswordHashes(declared: ResourceWithOptions): ResourceWithOptions {
  const SequelizeResource = adminJs().adapter.Resource;
  const resource = new (class UserResource extends SequelizeResource {
    override async find(filter: Filter, options: Parameters<InstanceType<typeof SequelizeResource>['find']>[1]) {
      const records = (await super.find(filter, options)) as BaseRecord[];
      return records.map(withoutSecrets);
    }

    override async findOne(id: string): Promise<BaseRecord | null> {
      return withoutSecrets(await super.findOne(id));
    }

    override async findMany(ids: (string | number)[]): Promise<BaseRecord[]> {
      return (await super.findMany(ids)).map(withoutSecrets);
    }
  })(
    // The adapter's constructor is typed for a bare `Model`; our typed model class is one.
    declared.resource as typeof Model,
  );
  return { ...declared, resource };
}

/** The accounts resource: staff's account writes through the users feature, hashes never read. */
export function usersResource(deps: ResourceDeps): ResourceWithOptions {
  return withoutPasswordHashes({
    resource: User,
    options: {
      navigation: { name: 'Accounts', icon: 'Users' },
      sort: { sortBy: 'id', direction: 'desc' },
      listProperties: ['id', 'email', 'fullName', 'role', 'isBlocked', 'emailVerifiedAt', 'createdAt'],
      showProperties: [
        'id',
        'email',
        'fullName',
        'role',
        'language',
        'timeZone',
        'emailVerifiedAt',
        'isBlocked',
        'blockedAt',
        'blockedById',
        'blockedReason',
        'createdAt',
        'updatedAt',
      ],
      editProperties: [...USER_FIELDS],
      filterProperties: ['email', 'fullName', 'role', 'isBlocked', 'createdAt'],
      properties: {
        passwordHash: { isVisible: false },
        newPassword: {
          type: 'password',
          isVisible: { list: false, show: false, edit: true, filter: false },
          description: 'newPasswordHelp',
        },
        role: { availableValues: choices(USER_ROLES) },
        language: { availableValues: choices(LANGUAGES) },
        timeZone: { availableValues: choices(STORABLE_TIME_ZONES) },
        blockedReason: { type: 'textarea' },
        isBlocked: { description: 'isBlockedHelp' },
      },
      actions: gatedActions('users', accountWriter({ timeZone: deps.config.timeZone })),
    },
  });
}
