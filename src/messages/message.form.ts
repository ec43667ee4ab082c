// The message form: subject, plain text, optional HTML; placeholders {{full_name}} and {{email}} allowed.
import { z } from 'zod';
import { textField } from '../forms/text-fields.js';

export const messageForm = z.object({
  subject: textField(300, { required: true }),
  bodyText: textField(100_000, { required: true, multiline: true }),
  bodyHtml: textField(200_000, { multiline: true }).transform((value) => (value ? value : null)),
});

export type MessageInput = z.infer<typeof messageForm>;
