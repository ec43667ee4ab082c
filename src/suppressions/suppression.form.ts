// The suppression list's forms: an address added by hand, and what the list is narrowed to (search, reason, owner).
import { z } from 'zod';
import { emailField } from '../forms/email-field.js';
import { SUPPRESSION_REASONS, type SuppressionReason } from '../db/models/index.js';

/** An address to put on the list by hand. */
export const suppressionForm = z.object({ email: emailField() });
export type SuppressionInput = z.infer<typeof suppressionForm>;

/** What the list shows: words in the address, one reason, one owner (the overseers' list of everyone's). */
export interface SuppressionFilters {
  search: string;
  reason: SuppressionReason | null;
  ownerId: number | null;
}

/** A reason given in a query string, or none for anything else. */
export function reasonOf(value: unknown): SuppressionReason | null {
  return (SUPPRESSION_REASONS as readonly unknown[]).includes(value) ? (value as SuppressionReason) : null;
}
