// What every view may use: the user, permission checks, asset URLs, dates in the reader's time zone.
import type { RequestHandler } from 'express';
import { DateTime } from 'luxon';
import { LANGUAGES } from '../../db/models/index.js';
import { assetUrl } from '../assets.js';
import { roleCan, type Permission } from '../../permissions.js';

/** Sets res.locals for the layout and the pages. */
export function viewHelpers(defaultTimeZone: string): RequestHandler {
  return (req, res, next) => {
    const zone = req.user?.timeZone ?? defaultTimeZone;
    res.locals.user = req.user;
    res.locals.userCan = (permission: Permission): boolean => (req.user ? roleCan(req.user.role, permission) : false);
    res.locals.asset = assetUrl;
    res.locals.currentPath = req.path;
    res.locals.languages = LANGUAGES;
    res.locals.timeZone = zone;
    res.locals.formatDateTime = (value: Date | null | undefined): string =>
      value ? DateTime.fromJSDate(value, { zone }).setLocale(req.language).toFormat('yyyy-MM-dd HH:mm') : '';
    next();
  };
}
