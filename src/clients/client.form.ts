// The client form (and each row of a CSV import): e-mail required, name and comment optional.
import validator from 'validator';
import { z } from 'zod';

export const EMAIL_MAX = 254;
export const FULL_NAME_MAX = 200;
export const COMMENT_MAX = 1000;

export const clientForm = z.object({
  email: z
    .string({ error: 'forms.required' })
    .trim()
    .min(1, 'forms.required')
    .max(EMAIL_MAX, 'forms.tooLong')
    .refine((value) => validator.isEmail(value), 'forms.emailInvalid'),
  fullName: z.string().trim().max(FULL_NAME_MAX, 'forms.tooLong').default(''),
  comment: z.string().trim().max(COMMENT_MAX, 'forms.tooLong').default(''),
});

export type ClientInput = z.infer<typeof clientForm>;
