// Errors the rules throw on purpose; the web and CLI doors turn them into a status or an exit code.

/** Where a message shown to people is translated: an i18n key and its values. */
export interface Translation {
  key: string;
  values?: Record<string, string | number>;
}

/**
 * A failure with a message fit to show the person who caused it: the message in English (the CLI, logs), and
 * the key the site translates it with, when it has one (else the message is its own key).
 */
export class AppError extends Error {
  constructor(
    message: string,
    readonly status = 400,
    readonly code = 'bad_request',
    readonly translation?: Translation,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** A rule refused an action (409), with the key the site shows it by. */
export function conflict(message: string, key: string, values?: Record<string, string | number>): AppError {
  return new AppError(message, 409, 'conflict', { key, values });
}

/** The record does not exist, or it is not the caller's: both answer 404 so ids leak nothing. */
export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super(message, 404, 'not_found');
    this.name = 'NotFoundError';
  }
}

/** The record a lookup found, or a 404: every "one record, or not found" of the services reads through this. */
export async function found<T>(lookup: Promise<T | null>): Promise<T> {
  const record = await lookup;
  if (record === null) throw new NotFoundError();
  return record;
}

/** Input that breaks a rule, with a message per field for forms to show next to each input. */
export class ValidationError extends AppError {
  constructor(readonly fieldErrors: Record<string, string>) {
    super(
      Object.entries(fieldErrors)
        .map(([field, message]) => `${field}: ${message}`)
        .join('; '),
      422,
      'invalid',
    );
    this.name = 'ValidationError';
  }
}
