// The account forms: registration, login, e-mail-only requests, password reset, profile, password change,
// deleting the account.
import { emailField } from '../forms/email-field.js';
import { z } from 'zod';
import { LANGUAGES } from '../db/models/index.js';
import { isKnownTimeZone } from '../forms/time-zones.js';
import { textField } from '../forms/text-fields.js';
import { passwordProblem } from './password-rules.js';

const email = emailField('forms.emailInvalid');
const fullName = textField(200);
const timeZone = z.string({ error: 'forms.required' }).refine(isKnownTimeZone, 'forms.timeZoneInvalid');
const language = z.enum(LANGUAGES, { error: 'forms.invalid' });

function newPassword<T extends z.ZodObject>(schema: T, field: string, emailField?: string) {
  return schema.superRefine((values: Record<string, unknown>, ctx) => {
    const password = typeof values[field] === 'string' ? values[field] : '';
    const emailValue = emailField ? values[emailField] : undefined;
    const problem = passwordProblem(password, typeof emailValue === 'string' ? emailValue : '');
    if (problem) ctx.addIssue({ code: 'custom', path: [field], message: problem });
    if (values.passwordConfirmation !== undefined && values.passwordConfirmation !== password) {
      ctx.addIssue({ code: 'custom', path: ['passwordConfirmation'], message: 'forms.passwordsDiffer' });
    }
  });
}

export const registerForm = newPassword(
  z.object({
    email,
    fullName,
    password: z.string({ error: 'forms.required' }),
    passwordConfirmation: z.string({ error: 'forms.required' }),
    timeZone,
  }),
  'password',
  'email',
);

export const loginForm = z.object({
  email,
  password: z.string({ error: 'forms.required' }).min(1, 'forms.required'),
});

export const emailForm = z.object({ email });

export const resetForm = newPassword(
  z.object({
    password: z.string({ error: 'forms.required' }),
    passwordConfirmation: z.string({ error: 'forms.required' }),
  }),
  'password',
);

export const profileForm = z.object({ fullName, timeZone, language });

export const passwordChangeForm = newPassword(
  z.object({
    currentPassword: z.string({ error: 'forms.required' }).min(1, 'forms.required'),
    password: z.string({ error: 'forms.required' }),
    passwordConfirmation: z.string({ error: 'forms.required' }),
  }),
  'password',
);

export const accountDeletionForm = z.object({
  currentPassword: z.string({ error: 'forms.required' }).min(1, 'forms.required'),
  confirm: z.literal('yes', { error: 'accountData.deletion.confirmRequired' }),
});
