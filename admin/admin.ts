// The AdminJS back office at /admin, built as a small Express app of its own: its CSP, its session (own cookie,
// the site's session table), the role gate, AdminJS's router, and answers for its errors. Mount it before the
// site's body parsers and CSRF check: AdminJS parses its own multipart bodies (a parser in front makes its
// login POST hang on Express 5). AdminJS itself is loaded with import() (see admin/adminjs.ts).
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import session from 'express-session';
import type AdminJS from 'adminjs';
import type { Sequelize } from 'sequelize';
import { PROJECT_ROOT, type Config } from '../src/config.js';
import type { Logger } from '../src/logger.js';
import type { LoginLimiter } from '../src/accounts/login-limiter.js';
import { adminJs, loadAdminJs } from './adminjs.js';
import {
  ADMIN_COOKIE,
  ADMIN_ROOT,
  adminAuthenticator,
  adminSessionOptions,
  noStore,
  refreshAdmin,
  resourceGate,
  type ActionCheck,
} from './auth.js';
import { adminContentSecurityPolicy } from './csp.js';
import { requireSameOrigin } from './origin-check.js';
import { answerInBackOffice } from './answers.js';
import { keepRequestAtHand } from './request-language.js';
import { adminLocale } from './locale/locale.js';
import { MAX_IMAGE_BYTES } from '../src/blog/post-images.js';
import { isReceivedFile } from './images.js';
import { clientsResource } from './resources/clients.resource.js';
import { identitiesResource } from './resources/identities.resource.js';
import { mailingsResource } from './resources/mailings.resource.js';
import { messagesResource } from './resources/messages.resource.js';
import { postsResource } from './resources/posts.resource.js';
import { deliveriesResource, mailingRunsResource } from './resources/runs.resource.js';
import { usersResource } from './resources/users.resource.js';

export { ADMIN_ROOT } from './auth.js';

export interface AdminDependencies {
  config: Config;
  sequelize: Sequelize;
  logger: Logger;
  /** The site's login limiter: a back-office sign-in counts in the same failures. */
  loginLimiter: LoginLimiter;
}

/** Multipart limits: files above the hard cap are cut off; the image rule (2 MB) answers below it. */
const FORM_LIMITS = {
  uploadDir: tmpdir(),
  maxFileSize: 5 * MAX_IMAGE_BYTES,
  maxFieldsSize: 2 * 1024 * 1024,
  multiples: false,
};

/** Builds the AdminJS instance with every resource and its custom components (post image, home page, sign-out). */
export async function buildAdmin(deps: AdminDependencies): Promise<AdminJS> {
  const { adminjs } = await loadAdminJs();
  const componentLoader = new adminjs.ComponentLoader();
  const componentFile = (file: string): string => path.join(PROJECT_ROOT, 'admin/components', file);
  const imageUpload = componentLoader.add('PostImage', componentFile('image-upload.jsx'));
  const dashboard = componentLoader.add('BackOfficeHome', componentFile('dashboard.jsx'));
  componentLoader.override('LoggedIn', componentFile('logged-in.jsx'));
  return new adminjs.default({
    rootPath: ADMIN_ROOT,
    loginPath: `${ADMIN_ROOT}/login`,
    logoutPath: `${ADMIN_ROOT}/logout`,
    componentLoader,
    resources: [
      usersResource(deps),
      clientsResource(),
      messagesResource(),
      mailingsResource(deps),
      mailingRunsResource(),
      deliveriesResource(),
      identitiesResource(),
      postsResource({ imageUpload }),
    ],
    dashboard: { component: dashboard },
    branding: {
      companyName: 'Mailer back office',
      withMadeWithLove: false,
      logo: false,
      favicon: '/assets/favicon.svg',
    },
    locale: adminLocale,
    settings: { defaultPerPage: 20 },
  });
}

/** AdminJS's own answer to "may this admin run this action of this resource?" (its decorated isAccessible). */
function accessCheck(admin: AdminJS): ActionCheck {
  return (currentAdmin, resourceId, action) => {
    const resource = admin.resources.find((candidate) => candidate._decorated?.id() === resourceId);
    const actions = resource?.decorate().actions;
    const decorated = actions && Object.hasOwn(actions, action) ? actions[action] : undefined;
    return Boolean(decorated?.isAccessible(currentAdmin));
  };
}

/** Deletes the multipart parser's temporary files once the response is over (a stored image was copied). */
function dropUploadedFiles(): RequestHandler {
  return (req, res, next) => {
    res.on('close', () => {
      const files = (req as { files?: Record<string, unknown> }).files ?? {};
      for (const file of Object.values(files).flat()) {
        if (isReceivedFile(file)) void rm(file.path, { force: true }).catch(() => undefined);
      }
    });
    next();
  };
}

/** Errors inside the back office: an oversized form is a 413, anything else is logged and a 500. */
function adminErrors(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const tooLarge = err instanceof Error && /^max\w* exceeded/i.test(err.message);
    if (!tooLarge) logger.error({ err, method: req.method, url: req.originalUrl }, 'back office request failed');
    answerInBackOffice(req, res, tooLarge ? 413 : 500, tooLarge ? 'uploadTooLarge' : 'somethingWentWrong');
  };
}

/** AdminJS's router behind our session, account refresh, role gate and temporary-file cleanup. */
async function adminRouter(deps: AdminDependencies): Promise<Router> {
  const { config, logger } = deps;
  const admin = await buildAdmin(deps);
  // In production this bundles the custom components into ADMIN_JS_TMP_DIR; a failure rejects here, where it is
  // logged. The Express plugin calls initialize() again without handling its rejection (that ended the process),
  // so its call is made a no-op.
  await admin.initialize();
  admin.initialize = () => Promise.resolve();
  const sessionOptions = adminSessionOptions(config);
  // Runs ahead of AdminJS's router: AdminJS's own session middleware then finds the session already there.
  const guarded = express.Router();
  guarded.use(session(sessionOptions), refreshAdmin(), resourceGate(accessCheck(admin)), dropUploadedFiles());
  // Signing out changes state, so it is a POST (origin-checked like every other); AdminJS's GET does nothing.
  guarded.post('/logout', (req, res) => {
    req.session.destroy(() => res.clearCookie(ADMIN_COOKIE, { path: ADMIN_ROOT }).redirect(302, `${ADMIN_ROOT}/login`));
  });
  guarded.get('/logout', (req, res) => answerInBackOffice(req, res.set('Allow', 'POST'), 405, 'signOutWithMenu'));
  const router = adminJs().plugin.buildAuthenticatedRouter(
    admin,
    {
      authenticate: adminAuthenticator(deps.loginLimiter),
      cookieName: ADMIN_COOKIE,
      cookiePassword: config.sessionSecret,
    },
    guarded,
    sessionOptions,
    FORM_LIMITS,
  );
  router.use(adminErrors(logger));
  // Rebuilds the custom component on change while developing; never in tests (its watcher keeps mocha alive).
  if (config.nodeEnv === 'development') {
    admin.watch().catch((err: unknown) => logger.warn({ err }, 'AdminJS component watcher failed'));
  }
  return router;
}

/**
 * The back office as an Express app to mount at ADMIN_ROOT. AdminJS loads in the background from the start
 * (in tests only when /admin is first asked for); requests that come earlier wait for it.
 */
export function buildAdminRouter(deps: AdminDependencies): Express {
  let router: Promise<Router> | undefined;
  const ready = (): Promise<Router> => {
    router ??= adminRouter(deps);
    return router;
  };
  if (deps.config.nodeEnv !== 'test') {
    ready().catch((err: unknown) => deps.logger.error({ err }, 'the back office could not start'));
  }

  const app = express();
  app.disable('x-powered-by');
  app.use(
    keepRequestAtHand(),
    adminContentSecurityPolicy(deps.config.isProduction),
    noStore(),
    requireSameOrigin(deps.config.appUrl),
  );
  app.use((req, res, next) => {
    ready().then((handle) => handle(req, res, next), next);
  });
  return app;
}
