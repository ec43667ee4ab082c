// The message form: subject, plain text, optional HTML; only the placeholders recipients get filled are allowed.
// And how the list of messages is sorted.
import { z } from 'zod';
import { LANGUAGES } from '../db/models/index.js';
import { unknownPlaceholders } from '../delivery/compose.js';
import { textField } from '../forms/text-fields.js';
import { listSortForm, type ListSort } from '../forms/list-sort.js';

/** A text whose every {{placeholder}} is one the e-mail fills ({{fullname}} would reach recipients as typed). */
function withKnownPlaceholders<T extends z.ZodType<string | null>>(field: T) {
  return field.refine((value) => !value || unknownPlaceholders(value).length === 0, 'forms.unknownPlaceholder');
}

export const messageForm = z.object({
  subject: withKnownPlaceholders(textField(300, { required: true })),
  bodyText: withKnownPlaceholders(textField(100_000, { required: true, multiline: true })),
  bodyHtml: withKnownPlaceholders(textField(200_000, { multiline: true })).transform((value) => (value ? value : null)),
  // The e-mail's own words (footer, unsubscribe pages); left out, a new message takes its author's language.
  language: z.enum(LANGUAGES, { error: 'forms.invalid' }).optional(),
});

export type MessageInput = z.infer<typeof messageForm>;

/** The columns the messages list sorts by. */
export const MESSAGE_SORT_KEYS = ['subject', 'created', 'updated'] as const;
export type MessageSort = ListSort<(typeof MESSAGE_SORT_KEYS)[number]>;

/** The messages list's order unless asked otherwise: the last changed first. */
export const MESSAGE_SORT_DEFAULT: MessageSort = { sort: 'updated', dir: 'desc' };

/** The messages list's sort parameters (`sort`, `dir`); an unknown value is the default. */
export const messageSortForm = listSortForm(MESSAGE_SORT_KEYS, MESSAGE_SORT_DEFAULT);
