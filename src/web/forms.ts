// The HTTP side of forms: what the user typed, kept for re-rendering the form with its errors.

/** The body as a plain record of strings, for re-rendering what the user typed. */
export function submittedValues(body: unknown): Record<string, unknown> {
  return body && typeof body === 'object' ? { ...(body as Record<string, unknown>) } : {};
}
