// The account door: register, verify, log in and out, reset a password (the profile is profile.routes.ts).
import type { Request, RequestHandler, Response, Router } from 'express';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config.js';
import { can, everyone, guestsOnly } from '../web/middleware/current-user.js';
import { flash } from '../web/middleware/flash.js';
import { parseForm } from '../forms/parse-form.js';
import { formAction, submittedValues, type FormSpec, type FormView } from '../web/forms.js';
import { redirectAfterAction, safeLocalPath } from '../web/redirects.js';
import { routeTable } from '../web/route-table.js';
import { zoneChoices } from '../forms/zone-choices.js';
import { routeParam } from '../web/params.js';
import {
  authenticate,
  blockNoticeOf,
  isResetLinkValid,
  register,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  verifyEmail,
  type BlockNotice,
  type MailContext,
} from './accounts.service.js';
import { emailForm, loginForm, registerForm, resetForm } from './account.forms.js';
import type { LoginLimiter } from './login-limiter.js';
import { mayMailFromForm } from './mail-throttle.js';
import type { SystemMailer } from './system-mail.js';
import { endSession, regenerateSession, saveSession } from '../web/session-requests.js';

export interface AccountRouteDependencies {
  config: Config;
  systemMailer: SystemMailer;
  /** Where the limits on the forms that send e-mail are counted, for every web process alike. */
  sequelize: Sequelize;
  /** The failed logins, counted for every web process together (the back office's sign-in counts in it too). */
  loginLimiter: LoginLimiter;
}

/** How the forms that send e-mail send it: counted against the limits of the request's IP address. */
interface AccountMail {
  contextOf(req: Request): MailContext;
  /** Sets Retry-After and says why nothing was sent, in the same words for every address. */
  throttled(req: Request, res: Response): string;
}

/** Registers the routes of signing up and in. */
export function accountRoutes(deps: AccountRouteDependencies): Router {
  const { config } = deps;
  const mail = accountMail(deps);
  const limiter = deps.loginLimiter;
  const registerPage = registerSpec(config);
  return routeTable([
    ['get', '/register', guestsOnly(), (req, res) => registerPage.rerender(req, res, { values: {}, errors: {} })],
    ['post', '/register', guestsOnly(), formAction(registerPage, signUp(mail, registerPage))],
    ['get', '/verify/sent', guestsOnly(), verifySentPage],
    ['post', '/verify/resend', guestsOnly(), resend(mail)],
    ['get', '/verify/:token', everyone(), verify],
    ['get', '/login', guestsOnly(), (req, res) => renderLogin(req, res, { values: {}, errors: {} })],
    ['post', '/login', guestsOnly(), formAction(LOGIN, logIn(config, limiter))],
    ['post', '/logout', can('account:manage'), logOut],
    ['get', '/password/forgot', guestsOnly(), (req, res) => renderForgot(req, res, { values: {}, errors: {} })],
    ['post', '/password/forgot', guestsOnly(), formAction(FORGOT, askForReset(mail))],
    ['get', '/password/reset/:token', everyone(), resetPage],
    ['post', '/password/reset/:token', everyone(), formAction(RESET, reset)],
  ]);
}

function accountMail({ config, systemMailer, sequelize }: AccountRouteDependencies): AccountMail {
  return {
    contextOf: (req) => ({
      mailer: systemMailer,
      appUrl: config.appUrl,
      mayMail: (address) => mayMailFromForm(sequelize, address, req.ip ?? 'unknown', config.mailForms),
    }),
    throttled: (req, res) => {
      res.set('Retry-After', String(config.mailForms.addressCooldownSeconds));
      return req.t('accounts.mailThrottled');
    },
  };
}

type ViewWithNotice = FormView & { formError?: string };

function registerSpec(config: Config): FormSpec<typeof registerForm> & {
  rerender: (req: Request, res: Response, view: ViewWithNotice) => void;
} {
  return {
    schema: registerForm,
    secret: ['password', 'passwordConfirmation'],
    rerender: (req, res, view) => {
      const values = { timeZone: config.timeZone, ...view.values };
      res.render('accounts/register', {
        title: req.t('accounts.register.title'),
        ...view,
        values,
        // A fresh form takes the browser's zone (app.js); a submitted one keeps the zone that was sent.
        browserTimeZone: !view.values.timeZone,
        timeZones: zoneChoices(req.language, values.timeZone),
      });
    },
  };
}

function signUp(mail: AccountMail, page: ReturnType<typeof registerSpec>) {
  return async (req: Request, res: Response, input: (typeof registerForm)['_output']): Promise<void> => {
    if ((await register({ ...input, language: req.language }, mail.contextOf(req))) === 'throttled') {
      const values = submittedValues(req.body, page.secret);
      return page.rerender(req, res.status(429), { values, errors: {}, formError: mail.throttled(req, res) });
    }
    req.session.pendingEmail = input.email;
    redirectAfterAction(req, res, '/verify/sent');
  };
}

function verifySentPage(req: Request, res: Response): void {
  res.render('accounts/verify-sent', {
    title: req.t('accounts.verify.sentTitle'),
    email: req.session.pendingEmail ?? '',
  });
}

// The same answer whether the address is known, unknown or already verified.
function resend(mail: AccountMail): RequestHandler {
  return async (req, res) => {
    const form = parseForm(emailForm, req.body);
    if (form.ok) {
      if ((await resendVerification(form.data.email, mail.contextOf(req))) === 'throttled') {
        flash(req, 'warning', mail.throttled(req, res));
        return redirectAfterAction(req, res, '/verify/sent');
      }
      req.session.pendingEmail = form.data.email;
    }
    flash(req, 'info', req.t('accounts.verify.resent'));
    redirectAfterAction(req, res, '/verify/sent');
  };
}

async function verify(req: Request, res: Response): Promise<void> {
  res.set('Cache-Control', 'no-store');
  if (await verifyEmail(routeParam(req, 'token'))) {
    flash(req, 'success', req.t('accounts.verify.done'));
    return redirectAfterAction(req, res, '/login');
  }
  res.status(410).render('accounts/verify-invalid', { title: req.t('accounts.verify.invalidTitle') });
}

function renderLogin(
  req: Request,
  res: Response,
  view: ViewWithNotice & { unverifiedEmail?: string; blockNotice?: BlockNotice },
): void {
  res.render('accounts/login', {
    title: req.t('accounts.login.title'),
    next: safeLocalPath(req.query.next ?? (req.body as Record<string, unknown> | undefined)?.next, ''),
    ...view,
    values: { email: view.values.email },
  });
}

const LOGIN: FormSpec<typeof loginForm> = { schema: loginForm, secret: ['password'], rerender: renderLogin };

// Failed attempts are counted per address and per IP; a blocked account is told why, an unverified one how.
function logIn(config: Config, limiter: LoginLimiter) {
  return async (req: Request, res: Response, input: (typeof loginForm)['_output']): Promise<void> => {
    const view = { values: { email: input.email }, errors: {} };
    const key = input.email.toLowerCase();
    const ip = req.ip ?? 'unknown';
    const waitMs = await limiter.retryAfterMs(key, ip);
    if (waitMs > 0) {
      res.set('Retry-After', String(Math.ceil(waitMs / 1000)));
      const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
      return renderLogin(req, res.status(429), {
        ...view,
        formError: req.t('accounts.login.tooMany', { count: minutes }),
      });
    }
    const outcome = await authenticate(input.email, input.password);
    if (!outcome.ok) {
      if (outcome.reason === 'invalid') {
        await limiter.failed(key, ip);
        return renderLogin(req, res.status(422), { ...view, formError: req.t('accounts.login.invalid') });
      }
      if (outcome.reason === 'unverified') {
        return renderLogin(req, res.status(422), { ...view, unverifiedEmail: outcome.email });
      }
      return renderLogin(req, res.status(403), {
        ...view,
        blockNotice: await blockNoticeOf(outcome.user, config.mailFrom),
      });
    }
    await limiter.succeeded(key);
    const next = safeLocalPath((req.body as Record<string, unknown>).next, '/');
    await regenerateSession(req);
    req.session.userId = outcome.user.id;
    await saveSession(req);
    redirectAfterAction(req, res, next);
  };
}

async function logOut(req: Request, res: Response): Promise<void> {
  await endSession(req, res);
  redirectAfterAction(req, res, '/');
}

function renderForgot(req: Request, res: Response, view: ViewWithNotice): void {
  res.render('accounts/forgot', { title: req.t('accounts.forgot.title'), ...view });
}

const FORGOT: FormSpec<typeof emailForm> = { schema: emailForm, rerender: renderForgot };

// The same answer whether an account has the address or not.
function askForReset(mail: AccountMail) {
  return async (req: Request, res: Response, input: (typeof emailForm)['_output']): Promise<void> => {
    if ((await requestPasswordReset(input.email, mail.contextOf(req))) === 'throttled') {
      const view = { values: submittedValues(req.body), errors: {}, formError: mail.throttled(req, res) };
      return renderForgot(req, res.status(429), view);
    }
    flash(req, 'info', req.t('accounts.forgot.sent'));
    redirectAfterAction(req, res, '/login');
  };
}

function renderReset(req: Request, res: Response, view: FormView): void {
  res.render('accounts/reset', { title: req.t('accounts.reset.title'), errors: view.errors, values: {} });
}

function renderResetInvalid(req: Request, res: Response): void {
  res.status(410).render('accounts/reset-invalid', { title: req.t('accounts.reset.invalidTitle') });
}

const RESET: FormSpec<typeof resetForm> = { schema: resetForm, secret: ['password'], rerender: renderReset };

async function resetPage(req: Request, res: Response): Promise<void> {
  res.set('Cache-Control', 'no-store');
  if (!(await isResetLinkValid(routeParam(req, 'token')))) return renderResetInvalid(req, res);
  renderReset(req, res, { values: {}, errors: {} });
}

async function reset(req: Request, res: Response, input: (typeof resetForm)['_output']): Promise<void> {
  if (!(await resetPassword(routeParam(req, 'token'), input.password))) return renderResetInvalid(req, res);
  if (req.session.userId) await regenerateSession(req);
  flash(req, 'success', req.t('accounts.reset.done'));
  redirectAfterAction(req, res, '/login');
}

declare module 'express-session' {
  interface SessionData {
    pendingEmail?: string;
  }
}
