// AdminJS is loaded with import() at run time, never by a static import. Its packages are ESM-only and cannot be
// require()d through tsx (an `exports` map without "require"); mocha require()s test files first and falls back
// to import() when that fails, which would give such a test a second copy of the test support modules (its
// root hooks never run there). Only type imports of AdminJS appear elsewhere in admin/.
import { ADMIN_BUNDLE_DIR } from './bundle-dir.js';
import type * as AdminJSPackage from 'adminjs';
import type * as ExpressPlugin from '@adminjs/express';
import type * as SequelizeAdapter from '@adminjs/sequelize';

export interface AdminJsModules {
  adminjs: typeof AdminJSPackage;
  plugin: typeof ExpressPlugin;
  adapter: typeof SequelizeAdapter;
}

let loading: Promise<AdminJsModules> | undefined;
let loaded: AdminJsModules | undefined;

/** Loads AdminJS, its Express plugin and its Sequelize adapter once per process. */
export function loadAdminJs(): Promise<AdminJsModules> {
  loading ??= (async () => {
    process.env.ADMIN_JS_TMP_DIR = ADMIN_BUNDLE_DIR; // read by AdminJS when its first module loads
    const [adminjs, plugin, adapter] = await Promise.all([
      import('adminjs'),
      import('@adminjs/express'),
      import('@adminjs/sequelize'),
    ]);
    adminjs.default.registerAdapter({ Database: adapter.Database, Resource: adapter.Resource });
    loaded = { adminjs, plugin, adapter };
    return loaded;
  })();
  return loading;
}

/** The loaded modules, for code that only runs once the back office is built. */
export function adminJs(): AdminJsModules {
  if (!loaded) throw new Error('AdminJS is not loaded yet (call loadAdminJs first)');
  return loaded;
}
