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

/** A form's text field; a missing or null value is the empty string. */
export function textField(max: number, { required = false, multiline = false }: TextOptions = {}) {
  const refused = multiline ? CONTROL_BUT_LINES : CONTROL;
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
