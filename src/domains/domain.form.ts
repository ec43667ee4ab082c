// The forms of sending domains and sender identities: a domain name; a display name, a From and a Reply-To.
import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { emailField } from '../forms/email-field.js';
import { textField } from '../forms/text-fields.js';

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** A domain name as stored: trimmed, lower case, punycode; null when it is not a name mail can be sent from. */
export function normaliseDomainName(input: string): string | null {
  const ascii = domainToASCII(input.trim().replace(/\.$/, '').toLowerCase());
  if (!ascii || ascii.length > 253) return null;
  const labels = ascii.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return null;
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return null;
  return ascii;
}

export const domainForm = z.object({
  name: z
    .string({ error: 'forms.required' })
    .trim()
    .min(1, 'forms.required')
    .transform((value, ctx) => {
      const name = normaliseDomainName(value);
      if (name === null) ctx.addIssue({ code: 'custom', message: 'domains.errors.nameInvalid' });
      return name ?? value;
    }),
  ed25519: z.preprocess((value) => value === 'on' || value === true || value === 'true', z.boolean()).default(false),
});
export type DomainInput = z.infer<typeof domainForm>;

export const DISPLAY_NAME_MAX = 100;

export const identityForm = z.object({
  domainId: z.coerce.number({ error: 'forms.required' }).int('forms.required').positive('forms.required'),
  displayName: textField(DISPLAY_NAME_MAX),
  fromAddress: emailField(),
  replyTo: z
    .string()
    .trim()
    .optional()
    .transform((value) => value || null)
    .pipe(z.union([z.null(), emailField()])),
});
export type IdentityInput = z.infer<typeof identityForm>;
