// The text fields of every form (site and back office): trimmed, bounded, and free of control characters, which
// no one types on purpose and which break what they reach (a NUL fails SQLite and is mangled by PostgreSQL; a
// line break in a name would end up inside a mail header). A multi-line text keeps its tabs and line breaks.
import { z } from 'zod';

const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINES = /[^\P{Cc}\t\r\n]/u;

interface TextOptions {
  /** Must not be empty (after trimming). */
  required?: boolean;
  /** The text may span lines (a message body, a comment). */
  multiline?: boolean;
}

// The characters a text field refuses.
function refusedIn(multiline: boolean): RegExp {
  return multiline ? CONTROL_BUT_LINES : CONTROL;
}

/**
 * The rule of `textField` as a plain function, for checking a million imported rows without zod's cost: the
 * cleaned text when the field accepts `value`, else null (run the schema then, for its message). Same constants.
 */
export function plainTextCheck(
  max: number,
  { required = false, multiline = false }: TextOptions = {},
): (value: string) => string | null {
  const refused = refusedIn(multiline);
  const min = required ? 1 : 0;
  return (value) => {
    const text = value.trim();
    return text.length < min || text.length > max || refused.test(text) ? null : text;
  };
}

/** A form's text field; a missing or null value is the empty string. */
export function textField(max: number, { required = false, multiline = false }: TextOptions = {}) {
  const refused = refusedIn(multiline);
  return z
    .union([z.string(), z.null()], { error: 'forms.invalid' })
    .optional()
    .transform((value) => (value ?? '').trim())
    .pipe(
      z
        .string()
        .min(required ? 1 : 0, 'forms.required')
        .max(max, 'forms.tooLong')
        .refine((value) => !refused.test(value), multiline ? 'forms.controlCharacters' : 'forms.lineBreaks'),
    );
}
