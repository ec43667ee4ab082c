// The forms' common part: parse input with a zod schema into typed values or per-field errors.
// Error messages are i18n keys (`forms.required`), translated by the view next to each field.
import type { z } from 'zod';

export type FieldErrors = Record<string, string>;
export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

const FALLBACK_MESSAGE = 'forms.invalid';

/** Validates input; the first problem of each field is kept, under the field's name. */
export function parseForm<S extends z.ZodType>(schema: S, input: unknown): FormResult<z.infer<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '_form';
    errors[field] ??= issue.message.includes('.') && !issue.message.includes(' ') ? issue.message : FALLBACK_MESSAGE;
  }
  return { ok: false, errors };
}
