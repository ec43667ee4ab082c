// The Express application factory: builds the app without listening, so tests drive it directly.
import express, { type Express, type RequestHandler } from 'express';
import session from 'express-session';
import multer from 'multer';
import type { Sequelize } from 'sequelize';
import path from 'node:path';
import { ADMIN_ROOT, buildAdminRouter } from '../admin/admin.js';
import { PROJECT_ROOT, type Config } from './config.js';
import type { Logger } from './logger.js';
import { accountRoutes } from './accounts/accounts.routes.js';
import { profileRoutes } from './accounts/profile.routes.js';
import { blogRoutes } from './blog/blog.routes.js';
import { imageRoutes } from './blog/images.routes.js';
import type { CacheStore } from './cache/cache-store.js';
import { cacheStoreFor } from './cache/create-store.js';
import { createSiteCache } from './cache/site-cache.js';
import { SystemMailer } from './accounts/system-mail.js';
import { sharedLoginLimiter, type LoginLimiter } from './accounts/login-limiter.js';
import { clientRoutes } from './clients/clients.routes.js';
import {
  CLIENT_IMPORT_MAX_BYTES,
  CLIENT_IMPORT_UPLOAD_PATH,
  clientImportRoutes,
  importFolder,
} from './clients/client-imports.routes.js';
import { suppressionRoutes } from './suppressions/suppressions.routes.js';
import { domainRoutes } from './domains/domains.routes.js';
import { mailingRoutes } from './mailings/mailings.routes.js';
import { messageRoutes } from './messages/messages.routes.js';
import { reportRoutes } from './reports/reports.routes.js';
import { unsubscribeRoutes } from './unsubscribe/unsubscribe.routes.js';
import { userRoutes } from './users/users.routes.js';
import { webhookRoutes } from './webhooks/webhooks.routes.js';
import { assetRoutes, assetUrl } from './web/assets.js';
import { errorHandler, MAX_FORM_FIELDS, notFoundHandler } from './web/error-pages.js';
import { healthRoutes } from './health/health.routes.js';
import { readinessCheck, runningService, type ServiceState } from './health/readiness.js';
import { homeRoutes } from './home/home.routes.js';
import { metricsRoutes } from './metrics/metrics.routes.js';
import { requestContext } from './web/middleware/request-context.js';
import { exposeCsrfToken, requireCsrfToken } from './web/middleware/csrf.js';
import { loadCurrentUser, tellBlockedOwner } from './web/middleware/current-user.js';
import { exposeFlash } from './web/middleware/flash.js';
import { varyOnHtmx } from './web/middleware/htmx.js';
import { chooseLanguage } from './web/middleware/language.js';
import { securityHeaders } from './web/middleware/security-headers.js';
import { viewHelpers } from './web/middleware/view-helpers.js';
import { rollSession, sessionOptions, SITE_COOKIE } from './web/session-store.js';

export interface AppDependencies {
  config: Config;
  sequelize: Sequelize;
  logger: Logger;
  /** Sends the site's own e-mails (verification, reset) in the background; one is made from config if absent. */
  systemMailer?: SystemMailer;
  /** Computed data (home statistics, the post pool): Memcached if MEMCACHED_SERVERS is set, else memory; made from config if absent. */
  cache?: CacheStore;
  /** Failed logins, counted in the database for every web process; one is made from config if absent. */
  loginLimiter?: LoginLimiter;
  /** The process's state for /readyz (`serve` marks it shutting down on a signal); a running one if absent. */
  service?: ServiceState;
}

const SESSION_DAYS = 14;
export const UPLOAD_LIMIT_BYTES = 2 * 1024 * 1024;

/** Assembles middleware and routes around the given database and config. */
export function createApp(deps: AppDependencies): Express {
  const { config, logger } = deps;
  const systemMailer = deps.systemMailer ?? new SystemMailer(config, logger, deps.sequelize);
  const cache = deps.cache ?? cacheStoreFor(config, logger);
  const siteCache = createSiteCache(cache, { enabled: config.cacheEnabled });
  const readiness = readinessCheck(deps.sequelize, cache, deps.service ?? runningService());
  const loginLimiter = deps.loginLimiter ?? sharedLoginLimiter(deps.sequelize, logger, config.loginLimits);
  const app = express();
  app.disable('x-powered-by');
  app.set('views', path.join(PROJECT_ROOT, 'views'));
  app.set('view engine', 'pug');
  app.set('trust proxy', config.operations.trustProxy);
  app.locals.systemMailer = systemMailer;
  app.locals.asset = assetUrl;

  app.use(requestContext(logger));
  app.use(securityHeaders(config.isProduction));
  app.use(healthRoutes({ sequelize: deps.sequelize, readiness }));
  app.use(metricsRoutes({ sequelize: deps.sequelize, operations: config.operations }));
  app.use(assetRoutes());
  app.use(unsubscribeRoutes(deps));
  // Ahead of the session and the origin check: providers sign their calls instead (webhooks.routes.ts).
  app.use(webhookRoutes(deps));
  app.use(imageRoutes());
  app.use(ADMIN_ROOT, buildAdminRouter({ ...deps, loginLimiter }));

  app.use(session(sessionOptions(config, { name: SITE_COOKIE, maxAgeMs: SESSION_DAYS * 24 * 60 * 60 * 1000 })));
  app.use(rollSession());
  app.use(loadCurrentUser(config.mailFrom));
  app.use(chooseLanguage());
  app.use(varyOnHtmx());
  app.use(exposeFlash());
  app.use(exposeCsrfToken());
  app.use(viewHelpers(config.timeZone));
  app.use(tellBlockedOwner());
  // Bodies are parsed once the page helpers exist (so a refused upload still gets a proper error page), and
  // before the CSRF check (which reads the token from the body, multipart included).
  // A GET, HEAD or OPTIONS has no body to read and changes nothing, so it skips all three (csrf-sync lets those
  // methods through anyway); every other method is parsed and must carry the session's token.
  app.use(
    onlyUnsafeMethods([
      express.urlencoded({ extended: false, limit: '4mb', parameterLimit: MAX_FORM_FIELDS + 100 }),
      uploads(config),
      requireCsrfToken(),
    ]),
  );

  app.use(homeRoutes({ sequelize: deps.sequelize, siteCache }));
  app.use(blogRoutes({ config, siteCache }));
  app.use(accountRoutes({ config, systemMailer, sequelize: deps.sequelize, loginLimiter }));
  app.use(profileRoutes(deps));
  app.use(messageRoutes({ config }));
  app.use(reportRoutes());
  // Before the clients' table, whose /clients/:id would take /clients/imports.
  app.use(clientImportRoutes(deps));
  app.use(clientRoutes(deps));
  app.use(mailingRoutes(deps));
  app.use(domainRoutes({ config }));
  app.use(suppressionRoutes());
  app.use(userRoutes());

  app.use(notFoundHandler());
  app.use(errorHandler(logger, config.isProduction));
  return app;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

// The handlers run for requests that may change state; safe methods go straight on.
function onlyUnsafeMethods(handlers: RequestHandler[]): express.Router {
  const router = express.Router();
  router.use((req, _res, next) => next(SAFE_METHODS.has(req.method) ? 'router' : undefined));
  router.use(...handlers);
  return router;
}

// Uploads are held in memory (2 MB), except a background import's file, written to disk as it arrives.
function uploads(config: Config): RequestHandler {
  const inMemory = multer({ storage: multer.memoryStorage(), limits: { fileSize: UPLOAD_LIMIT_BYTES, files: 1 } });
  const onDisk = multer({
    dest: importFolder(config.uploadDir),
    limits: { fileSize: CLIENT_IMPORT_MAX_BYTES, files: 1 },
  });
  const memorySingle = inMemory.single('file');
  const diskSingle = onDisk.single('file');
  return (req, res, next) =>
    (req.method === 'POST' && req.path === CLIENT_IMPORT_UPLOAD_PATH ? diskSingle : memorySingle)(req, res, next);
}
