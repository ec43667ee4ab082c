// What a webhook door answers and logs: the status (2xx taken; 4xx refused, never to be retried by the provider
// with the same content; 503 for a failure on our side worth a retry) and one word for the log and the body.
/** A webhook call's answer. */
export interface WebhookAnswer {
  status: 200 | 400 | 403 | 404 | 406 | 503;
  outcome: string;
  detail?: Record<string, unknown>;
}

/** A call that was taken (recorded, confirmed or known and ignored). */
export function taken(outcome: string, detail?: Record<string, unknown>): WebhookAnswer {
  return { status: 200, outcome, detail };
}

/** A call that was refused, and why. */
export function refused(
  status: WebhookAnswer['status'],
  outcome: string,
  detail?: Record<string, unknown>,
): WebhookAnswer {
  return { status, outcome, detail };
}
