// Time zones offered in forms, and the conversion between a form's local date-time and an instant.
import { DateTime } from 'luxon';
import { isValidTimeZone } from '../config.js';
import { CURRENT_ZONES } from './zone-choices.js';

/** Every current IANA zone, UTC first: the ids a list offers (the labelled list is zone-choices.ts). */
export const TIME_ZONES: readonly string[] = CURRENT_ZONES;

/**
 * The current zones and every id the forms offered before the list was trimmed (Intl's own, old names
 * included): a back-office select lists each of them, so a record that stored one still shows its zone.
 */
export const STORABLE_TIME_ZONES: readonly string[] = [
  ...new Set([...CURRENT_ZONES, ...Intl.supportedValuesOf('timeZone')]),
];

/** True for a zone name a form may submit: any valid IANA id, so a zone stored before the list changed stays. */
export function isKnownTimeZone(zone: string): boolean {
  return isValidTimeZone(zone);
}

/**
 * The years a date typed into any form may fall in. Both databases store them alike (PostgreSQL refuses year 0
 * and JavaScript writes years past 9999 with a sign), and nothing this service schedules or reports is older.
 */
export const FIRST_YEAR = 1970;
export const LAST_YEAR = 9999;

/** True for an instant inside FIRST_YEAR..LAST_YEAR (UTC): what every date parser of the forms accepts. */
export function isStorableInstant(date: Date): boolean {
  const year = date.getUTCFullYear();
  return !Number.isNaN(date.getTime()) && year >= FIRST_YEAR && year <= LAST_YEAR;
}

/** Reads an `<input type="datetime-local">` value as a time in the given zone; null if it is not one. */
export function parseLocalDateTime(value: string, zone: string): Date | null {
  const parsed = DateTime.fromISO(value, { zone });
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) && parsed.isValid ? parsed.toJSDate() : null;
}

/** Formats an instant for an `<input type="datetime-local">` in the given zone. */
export function toLocalDateTimeInput(value: Date | null | undefined, zone: string): string {
  return value ? DateTime.fromJSDate(value, { zone }).toFormat("yyyy-MM-dd'T'HH:mm") : '';
}
