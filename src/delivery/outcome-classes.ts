// The one list of what the engine writes as a delivery's error class and as the kind of a run's halt (paused or
// cancelled), so every screen and export can put words on them (reports.errorClasses, reports.haltKinds).

/** Every `deliveries.error_class` the engine or a feature writes; a new one needs words in every language. */
export const DELIVERY_ERROR_CLASSES = [
  'smtp_5xx',
  'smtp_4xx',
  'rejected',
  'smtputf8',
  'no_reply',
  'interrupted',
  'timeout',
  'connection',
  'protocol',
  'auth',
  'unexpected',
  'cancelled',
  'unsubscribed',
  'client_deleted',
  'suppressed',
] as const;
export type DeliveryErrorClass = (typeof DELIVERY_ERROR_CLASSES)[number];

/**
 * The failures a retry can fix: a temporary refusal (4xx), the server or the connection failing, a run cancelled
 * before the message went. A permanent refusal (5xx such as 550, an address the server cannot take) or a client
 * gone is final: retrying it would only fail again.
 */
export const RETRYABLE_FAILURE_CLASSES: readonly DeliveryErrorClass[] = [
  'smtp_4xx',
  'rejected',
  'timeout',
  'connection',
  'protocol',
  'auth',
  'unexpected',
  'cancelled',
];

/** Every `mailing_runs.paused_kind`: why a run was paused or cancelled (the English text stays beside it). */
export const RUN_HALT_KINDS = [
  'paused_by_user',
  'smtp_unavailable',
  'cancelled_by_user',
  'mailing_disabled',
  'mailing_deleted',
  'owner_blocked',
  'bounce_rate',
  'complaint_rate',
  'sender_unverified',
] as const;
export type RunHaltKind = (typeof RUN_HALT_KINDS)[number];

/** Why a run halts: a kind for the screens, and the text kept for logs and the CLI (a server's reply included). */
export interface RunHalt {
  kind: RunHaltKind;
  reason: string;
}
