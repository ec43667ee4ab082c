// Errors the rules throw on purpose; the web and CLI doors turn them into a status or an exit code.

/** A failure with a message fit to show the person who caused it. */
export class AppError extends Error {
  constructor(
    message: string,
    readonly status = 400,
    readonly code = 'bad_request',
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** The record does not exist, or it is not the caller's: both answer 404 so ids leak nothing. */
export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super(message, 404, 'not_found');
    this.name = 'NotFoundError';
  }
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
