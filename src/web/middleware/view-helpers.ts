// What every view may use: the user, permission checks, asset URLs, dates in the reader's time zone.
import type { RequestHandler } from 'express';
import { DateTime } from 'luxon';
import { LANGUAGES } from '../../db/models/index.js';
import { assetUrl } from '../assets.js';
import { roleCan, type Permission } from '../../permissions.js';

export interface DateTimeOptions {
  /** Attempt times show seconds. */
  seconds?: boolean;
}

/** The zone of a moment as its offset: "UTC" or "UTC+03:00", the same words in every language. */
export function offsetLabel(moment: DateTime): string {
  return moment.offset === 0 ? 'UTC' : `UTC${moment.toFormat('ZZ')}`;
}

/**
 * The one way the site writes a moment: "2026-12-01 18:26 UTC", "2026-12-01 21:26 UTC+03:00", with seconds
 * ("2026-12-01 21:26:05 UTC+03:00") for attempt times. Empty for no value.
 */
export function formatDateTime(value: Date | null | undefined, zone: string, options: DateTimeOptions = {}): string {
  if (!value) return '';
  const moment = DateTime.fromJSDate(value, { zone });
  return `${moment.toFormat(options.seconds ? 'yyyy-MM-dd HH:mm:ss' : 'yyyy-MM-dd HH:mm')} ${offsetLabel(moment)}`;
}

/**
 * A mailing's schedule time (start, end, next run): in the reader's zone when the mailing's zone has the same
 * offset then; otherwise in the mailing's zone, named, followed by the reader's time.
 */
export function formatScheduleTime(
  value: Date | null | undefined,
  scheduleZone: string,
  readerZone: string,
  t: (key: string, values: Record<string, string>) => string,
): string {
  if (!value) return '';
  const local = DateTime.fromJSDate(value, { zone: scheduleZone });
  if (!local.isValid || local.offset === DateTime.fromJSDate(value, { zone: readerZone }).offset) {
    return formatDateTime(value, readerZone);
  }
  return t('time.scheduleAndYours', {
    at: formatDateTime(value, scheduleZone),
    zone: scheduleZone,
    yours: formatDateTime(value, readerZone),
  });
}

// Building an Intl.NumberFormat costs far more than using one, and a report page writes two rates per run.
const rateFormats = new Map<string, Intl.NumberFormat>();

/** A share as the reader writes a percentage (5.2%, 5,2 %); none of nothing is 0%. */
export function formatRate(count: number, of: number, language: string): string {
  let format = rateFormats.get(language);
  if (!format) {
    format = new Intl.NumberFormat(language, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
    rateFormats.set(language, format);
  }
  return format.format(of > 0 ? count / of : 0);
}

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
    res.locals.formatDateTime = (value: Date | null | undefined, options?: DateTimeOptions): string =>
      formatDateTime(value, zone, options);
    res.locals.formatScheduleTime = (value: Date | null | undefined, scheduleZone: string): string =>
      formatScheduleTime(value, scheduleZone, zone, (key, values) => req.t(key, values));
    res.locals.formatRate = (count: number, of: number): string => formatRate(count, of, req.language);
    next();
  };
}
