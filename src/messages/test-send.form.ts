// The test-send form: up to five of the owner's own addresses, separated by commas, spaces or new lines.
import { z } from 'zod';
import { isStorableEmail, normaliseEmail } from '../db/models/email.js';

/** The most addresses one test send may go to. */
export const TEST_SEND_MAX_ADDRESSES = 5;

/** The addresses typed, each once, in the order typed. */
function addressesIn(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .filter(Boolean)
        .map(normaliseEmail),
    ),
  ];
}

export const testSendForm = z.object({
  addresses: z
    .string({ error: 'forms.required' })
    .max(2000, 'forms.tooLong')
    .transform(addressesIn)
    .pipe(
      z
        .array(z.string())
        .min(1, 'forms.required')
        .max(TEST_SEND_MAX_ADDRESSES, 'testSends.tooManyAddresses')
        .refine((addresses) => addresses.every(isStorableEmail), 'testSends.invalidAddress'),
    ),
});

export type TestSendInput = z.infer<typeof testSendForm>;
