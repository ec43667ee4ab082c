// The one place a failed request is answered: a friendly 403/404/500 page (or an htmx fragment), with
// internals logged and hidden.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import multer from 'multer';
import { LANGUAGES } from '../db/models/index.js';
import { AppError } from '../errors.js';
import { translator } from '../i18n/i18n.js';
import type { Logger } from '../logger.js';
import { requestLogger } from './middleware/request-context.js';
import { flash } from './middleware/flash.js';
import { wantsFragment } from './middleware/htmx.js';
import { redirectAfterAction, safeLocalPath } from './redirects.js';

interface HttpErrorLike {
  status?: number;
  statusCode?: number;
  code?: string;
  expose?: boolean;
}

function statusOf(err: unknown): number {
  if (err instanceof AppError) return err.status;
  if (err instanceof multer.MulterError) return err.code === 'LIMIT_FILE_SIZE' ? 413 : 400;
  const candidate = (err ?? {}) as HttpErrorLike;
  const status = candidate.status ?? candidate.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function pageFor(status: number): string {
  if (status === 404) return 'errors/404';
  if (status === 403 || status === 401) return 'errors/403';
  if (status === 429) return 'errors/429';
  if (status >= 500) return 'errors/500';
  return 'errors/400';
}

/** Answers unknown paths with the friendly 404 page. */
export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new AppError(`No page at ${req.path}`, 404, 'not_found'));
}

/**
 * A rule's message in the reader's language: by its translation key, else the message as its own key; a
 * message with no translation (`No page at /x`, `Forbidden`) is not shown: the page's own text says it.
 */
function translatedMessage(
  t: (key: string, options?: Record<string, unknown>) => string,
  err: AppError,
): string | undefined {
  if (err.translation) return t(err.translation.key, { ...err.translation.values, defaultValue: err.message });
  return t(err.message, { defaultValue: '' }) || undefined;
}

/**
 * How many fields a posted form may have (the body parser's limit): enough to pick 100,000 clients one by one
 * on the mailing form, with room for its other fields. A larger form is refused with a page that says so.
 */
export const MAX_FORM_FIELDS = 100_000;

/** Renders the error page; unexpected errors are logged with the request. */
export function errorHandler(logger: Logger, isProduction: boolean): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const status = statusOf(err);
    // A rule refused an action ("this message is in use"): say so on the page the user came from.
    if (status === 409 && err instanceof AppError && req.method !== 'GET' && req.session && req.t) {
      flash(req, 'danger', translatedMessage(req.t, err) ?? req.t('errors.text.400'));
      const referrer = req.get('Referer');
      const back = referrer ? new URL(referrer, 'http://site.invalid').pathname : '/';
      return redirectAfterAction(req, res, safeLocalPath(back, '/'));
    }
    if (status >= 500)
      requestLogger(res, logger).error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    const t = req.t ?? translator('en');
    const detail =
      err instanceof multer.MulterError
        ? t('errors.upload')
        : status === 413
          ? t('errors.formTooLarge', { limit: MAX_FORM_FIELDS.toLocaleString(req.language ?? 'en') })
          : status < 500 && err instanceof AppError
            ? translatedMessage(t, err)
            : undefined;
    const debug = !isProduction && status >= 500 && err instanceof Error ? err.message : undefined;
    const csrfFailed = (err as HttpErrorLike | null)?.code === 'EBADCSRFTOKEN';
    res.status(status);
    res.set('Cache-Control', 'no-store');
    // A request can fail before the page helpers ran (a broken session store): the page must still render.
    if (!res.locals.t) res.locals.t = t;
    res.locals.currentPath ??= req.path;
    res.locals.languages ??= LANGUAGES;
    res.locals.userCan ??= () => false;
    const view = wantsFragment(req) ? 'errors/_fragment' : pageFor(status);
    res.render(view, { title: t(`errors.title.${pageFor(status).slice(7)}`), status, detail, debug, csrfFailed });
  };
}
