// The account door: register, verify, log in and out, reset a password, the profile, the language switch.
import { Router, type Request, type Response } from 'express';
import { DateTime } from 'luxon';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { can, currentUser, everyone, guestsOnly } from '../web/middleware/current-user.js';
import { flash } from '../web/middleware/flash.js';
import { LANGUAGE_COOKIE } from '../web/middleware/language.js';
import { parseForm, type FieldErrors } from '../forms/parse-form.js';
import { submittedValues } from '../web/forms.js';
import { redirectAfterAction, safeLocalPath } from '../web/redirects.js';
import { TIME_ZONES } from '../forms/time-zones.js';
import { routeParam } from '../web/params.js';
import { isLanguage } from '../i18n/i18n.js';
import { ValidationError } from '../errors.js';
import {
  authenticate,
  blockNoticeOf,
  changePassword,
  isResetLinkValid,
  register,
  requestPasswordReset,
  resendVerification,
  resetPassword,
  updateProfile,
  verifyEmail,
  type MailContext,
} from './accounts.service.js';
import { emailForm, loginForm, passwordChangeForm, profileForm, registerForm, resetForm } from './account.forms.js';
import { LoginLimiter } from './login-limiter.js';
import { mayMailFromForm } from './mail-throttle.js';
import type { SystemMailer } from './system-mail.js';

export interface AccountRouteDependencies {
  config: Config;
  logger: Logger;
  systemMailer: SystemMailer;
  /** Where the limits on the forms that send e-mail are counted, for every web process alike. */
  sequelize: Sequelize;
  loginLimiter?: LoginLimiter;
}

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

function regenerateSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err as Error) : resolve())));
}

function saveSession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err as Error) : resolve())));
}

/** Registers the account routes. */
export function accountRoutes({
  config,
  systemMailer,
  sequelize,
  loginLimiter = new LoginLimiter(),
}: AccountRouteDependencies): Router {
  const router = Router();
  /** The mail context of one request: its e-mails count against the limits of its IP address. */
  const mailFor = (req: Request): MailContext => ({
    mailer: systemMailer,
    appUrl: config.appUrl,
    mayMail: (address) => mayMailFromForm(sequelize, address, req.ip ?? 'unknown', config.mailForms),
  });
  /** Sets Retry-After and says why nothing was sent, in the same words for every address. */
  const throttledMessage = (req: Request, res: Response): string => {
    res.set('Retry-After', String(config.mailForms.addressCooldownSeconds));
    return req.t('accounts.mailThrottled');
  };

  const renderRegister = (
    res: Response,
    values: Record<string, unknown>,
    errors: FieldErrors = {},
    status = 200,
    formError?: string,
  ): void => {
    res.status(status).render('accounts/register', {
      title: res.req.t('accounts.register.title'),
      values: { timeZone: config.timeZone, ...values },
      errors,
      formError,
      timeZones: TIME_ZONES,
    });
  };

  router.get('/register', guestsOnly(), (_req, res) => renderRegister(res, {}));
  router.post('/register', guestsOnly(), async (req, res) => {
    const form = parseForm(registerForm, req.body);
    const values = { ...submittedValues(req.body), password: '', passwordConfirmation: '' };
    if (!form.ok) return renderRegister(res, values, form.errors, 422);
    if ((await register({ ...form.data, language: req.language }, mailFor(req))) === 'throttled')
      return renderRegister(res, values, {}, 429, throttledMessage(req, res));
    req.session.pendingEmail = form.data.email;
    redirectAfterAction(req, res, '/verify/sent');
  });

  router.get('/verify/sent', guestsOnly(), (req, res) => {
    res.render('accounts/verify-sent', {
      title: req.t('accounts.verify.sentTitle'),
      email: req.session.pendingEmail ?? '',
    });
  });
  router.post('/verify/resend', guestsOnly(), async (req, res) => {
    const form = parseForm(emailForm, req.body);
    if (form.ok) {
      if ((await resendVerification(form.data.email, mailFor(req))) === 'throttled') {
        flash(req, 'warning', throttledMessage(req, res));
        return redirectAfterAction(req, res, '/verify/sent');
      }
      req.session.pendingEmail = form.data.email;
    }
    flash(req, 'info', req.t('accounts.verify.resent'));
    redirectAfterAction(req, res, '/verify/sent');
  });
  router.get('/verify/:token', everyone(), async (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (await verifyEmail(routeParam(req, 'token'))) {
      flash(req, 'success', req.t('accounts.verify.done'));
      return redirectAfterAction(req, res, '/login');
    }
    res.status(410).render('accounts/verify-invalid', { title: req.t('accounts.verify.invalidTitle') });
  });

  const renderLogin = (req: Request, res: Response, locals: Record<string, unknown> = {}, status = 200): void => {
    res.status(status).render('accounts/login', {
      title: req.t('accounts.login.title'),
      values: {},
      errors: {},
      next: safeLocalPath(req.query.next ?? (req.body as Record<string, unknown> | undefined)?.next, ''),
      ...locals,
    });
  };

  router.get('/login', guestsOnly(), (req, res) => renderLogin(req, res));
  router.post('/login', guestsOnly(), async (req, res) => {
    const form = parseForm(loginForm, req.body);
    const values = { email: submittedValues(req.body).email };
    if (!form.ok) return renderLogin(req, res, { values, errors: form.errors }, 422);
    const key = form.data.email.toLowerCase();
    const ip = req.ip ?? 'unknown';
    const waitMs = await loginLimiter.retryAfterMs(key, ip);
    if (waitMs > 0) {
      res.set('Retry-After', String(Math.ceil(waitMs / 1000)));
      const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
      return renderLogin(req, res, { values, formError: req.t('accounts.login.tooMany', { count: minutes }) }, 429);
    }
    const outcome = await authenticate(form.data.email, form.data.password);
    if (!outcome.ok) {
      if (outcome.reason === 'invalid') {
        await loginLimiter.failed(key, ip);
        return renderLogin(req, res, { values, formError: req.t('accounts.login.invalid') }, 422);
      }
      if (outcome.reason === 'unverified') {
        return renderLogin(req, res, { values, unverifiedEmail: outcome.email }, 422);
      }
      const blockNotice = await blockNoticeOf(outcome.user, config.mailFrom);
      return renderLogin(req, res, { values, blockNotice }, 403);
    }
    await loginLimiter.succeeded(key);
    const next = safeLocalPath((req.body as Record<string, unknown>).next, '/');
    await regenerateSession(req);
    req.session.userId = outcome.user.id;
    await saveSession(req);
    redirectAfterAction(req, res, next);
  });

  router.post('/logout', can('account:manage'), async (req, res) => {
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    res.clearCookie('mailer.sid');
    redirectAfterAction(req, res, '/');
  });

  const renderForgot = (
    req: Request,
    res: Response,
    locals: { values?: Record<string, unknown>; errors?: FieldErrors; formError?: string } = {},
    status = 200,
  ): void => {
    res
      .status(status)
      .render('accounts/forgot', { title: req.t('accounts.forgot.title'), values: {}, errors: {}, ...locals });
  };
  router.get('/password/forgot', guestsOnly(), (req, res) => renderForgot(req, res));
  router.post('/password/forgot', guestsOnly(), async (req, res) => {
    const form = parseForm(emailForm, req.body);
    const values = submittedValues(req.body);
    if (!form.ok) return renderForgot(req, res, { values, errors: form.errors }, 422);
    if ((await requestPasswordReset(form.data.email, mailFor(req))) === 'throttled') {
      return renderForgot(req, res, { values, formError: throttledMessage(req, res) }, 429);
    }
    flash(req, 'info', req.t('accounts.forgot.sent'));
    redirectAfterAction(req, res, '/login');
  });

  const renderReset = (req: Request, res: Response, errors: FieldErrors = {}, status = 200): void => {
    res.status(status).render('accounts/reset', { title: req.t('accounts.reset.title'), errors, values: {} });
  };
  router.get('/password/reset/:token', everyone(), async (req, res) => {
    res.set('Cache-Control', 'no-store');
    if (!(await isResetLinkValid(routeParam(req, 'token')))) {
      return res.status(410).render('accounts/reset-invalid', { title: req.t('accounts.reset.invalidTitle') });
    }
    renderReset(req, res);
  });
  router.post('/password/reset/:token', everyone(), async (req, res) => {
    const form = parseForm(resetForm, req.body);
    if (!form.ok) return renderReset(req, res, form.errors, 422);
    let reset: boolean;
    try {
      reset = await resetPassword(routeParam(req, 'token'), form.data.password);
    } catch (err) {
      if (err instanceof ValidationError) return renderReset(req, res, err.fieldErrors, 422);
      throw err;
    }
    if (!reset) {
      return res.status(410).render('accounts/reset-invalid', { title: req.t('accounts.reset.invalidTitle') });
    }
    if (req.session.userId) await regenerateSession(req);
    flash(req, 'success', req.t('accounts.reset.done'));
    redirectAfterAction(req, res, '/login');
  });

  const renderProfile = (
    req: Request,
    res: Response,
    locals: { values?: Record<string, unknown>; errors?: FieldErrors; passwordErrors?: FieldErrors },
    status = 200,
  ): void => {
    const user = currentUser(req);
    res.status(status).render('accounts/profile', {
      title: req.t('accounts.profile.title'),
      values: { fullName: user.fullName, timeZone: user.timeZone, language: user.language },
      errors: {},
      passwordErrors: {},
      timeZones: TIME_ZONES,
      now: DateTime.now().setZone(user.timeZone).toFormat('HH:mm'),
      ...locals,
    });
  };
  router.get('/profile', can('account:manage'), (req, res) => renderProfile(req, res, {}));
  router.post('/profile', can('account:manage'), async (req, res) => {
    const form = parseForm(profileForm, req.body);
    if (!form.ok) return renderProfile(req, res, { values: submittedValues(req.body), errors: form.errors }, 422);
    const user = await updateProfile(currentUser(req), form.data);
    flash(req, 'success', req.t('accounts.profile.saved', { lng: user.language }));
    redirectAfterAction(req, res, '/profile');
  });
  router.post('/profile/password', can('account:manage'), async (req, res) => {
    const form = parseForm(passwordChangeForm, req.body);
    if (!form.ok) return renderProfile(req, res, { passwordErrors: form.errors }, 422);
    try {
      await changePassword(currentUser(req), form.data.currentPassword, form.data.password, req.sessionID);
    } catch (err) {
      if (err instanceof ValidationError) return renderProfile(req, res, { passwordErrors: err.fieldErrors }, 422);
      throw err;
    }
    flash(req, 'success', req.t('accounts.profile.passwordChanged'));
    redirectAfterAction(req, res, '/profile');
  });

  // The language switch: a signed-in user's choice is saved in the profile (POST, CSRF-checked); a visitor's
  // is only a preference cookie, set by a plain link so public pages need no session.
  router.post('/language', can('account:manage'), async (req, res) => {
    const language = (req.body as Record<string, unknown>).language;
    if (isLanguage(language)) await currentUser(req).update({ language });
    redirectAfterAction(req, res, safeLocalPath((req.body as Record<string, unknown>).next, '/'));
  });
  router.get('/language/:language', everyone(), (req, res) => {
    if (isLanguage(routeParam(req, 'language'))) {
      res.cookie(LANGUAGE_COOKIE, routeParam(req, 'language'), { maxAge: YEAR_MS, sameSite: 'lax', httpOnly: true });
    }
    res.redirect(303, safeLocalPath(req.query.next, '/'));
  });

  return router;
}

declare module 'express-session' {
  interface SessionData {
    pendingEmail?: string;
  }
}
