// Field readers for the back office's forms: AdminJS posts multipart strings (booleans and dates already
// converted for typed properties), API clients may post either.
import { z } from 'zod';
import { isStorableInstant } from '../src/forms/time-zones.js';
import { textField } from '../src/forms/text-fields.js';
import type { Payload } from './handlers.js';

/** A checkbox: true, "true", "on" or "1" are on; anything else (or nothing) is off. */
export const flag = z
  .union([z.boolean(), z.string(), z.null()])
  .optional()
  .transform((value) => value === true || value === 'true' || value === 'on' || value === '1');

/** An optional instant: empty means none. */
export const optionalDate = z
  .union([z.date(), z.string(), z.null()])
  .optional()
  .transform((value, ctx) => {
    if (value === null || value === undefined || value === '') return null;
    const date = value instanceof Date ? value : new Date(value);
    if (!isStorableInstant(date)) {
      const message = Number.isNaN(date.getTime()) ? 'forms.dateInvalid' : 'forms.dateOutOfRange';
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return date;
  });

/** A required instant. */
export const requiredDate = optionalDate.transform((value, ctx) => {
  if (value === null) {
    ctx.addIssue({ code: 'custom', message: 'forms.required' });
    return z.NEVER;
  }
  return value;
});

/** Optional one-line text: empty or missing is null. */
export const optionalText = (max: number) => textField(max).transform((value) => value || null);

/** A positive whole-number id. */
export const recordId = z.coerce.number().int().positive();

/**
 * The record's current values (a model instance or a plain object) overlaid with the payload's values for the
 * named fields: a field the form did not send keeps its value, and fields the form may not change are never read.
 */
export function overlay<K extends string>(
  current: Partial<Record<K, unknown>>,
  payload: Payload,
  fields: readonly K[],
): Record<K, unknown> {
  const merged: Partial<Record<K, unknown>> = {};
  for (const field of fields) merged[field] = payload[field] !== undefined ? payload[field] : current[field];
  return merged as Record<K, unknown>;
}
