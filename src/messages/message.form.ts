// The message form: subject, plain text, optional HTML; placeholders {{full_name}} and {{email}} allowed.
import { z } from 'zod';

export const messageForm = z.object({
  subject: z
    .string({ error: 'forms.required' })
    .trim()
    .min(1, 'forms.required')
    .max(300, 'forms.tooLong')
    .refine((value) => !/[\r\n]/.test(value), 'forms.invalid'),
  bodyText: z.string({ error: 'forms.required' }).trim().min(1, 'forms.required').max(100_000, 'forms.tooLong'),
  bodyHtml: z
    .string()
    .trim()
    .max(200_000, 'forms.tooLong')
    .optional()
    .transform((value) => (value ? value : null)),
});

export type MessageInput = z.infer<typeof messageForm>;
