// What a send attempt came to: accepted, worth retrying, or final; and whether the server itself is down.

import type { DeliveryErrorClass } from './outcome-classes.js';

export type OutcomeKind = 'accepted' | 'temporary' | 'permanent' | 'unknown';

export interface Outcome {
  kind: OutcomeKind;
  /** The server's reply (e.g. "250 2.0.0 Ok: queued as 4F2"), or what went wrong when it did not reply. */
  reply: string;
  /** A short, stable class for reports and retries: smtp_4xx, smtp_5xx, timeout, connection, protocol, auth… */
  errorClass: DeliveryErrorClass | null;
  /** True when the failure says nothing about this recipient but that the server is unreachable or broken. */
  connectionLevel: boolean;
  /** The Message-ID of the e-mail the server accepted. */
  messageId?: string;
  /** A 421 or a 4.7.x: the destination asks us to slow down; only its group waits (pacing per destination). */
  deferral?: boolean;
}

interface SmtpishError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
  command?: string;
  /** Set by our transport when the whole message, final dot included, had been handed to the server. */
  afterData?: boolean;
}

/** The classes of failures that say the server is unreachable or broken, not that the recipient is refused. */
export const CONNECTION_ERROR_CLASSES: readonly DeliveryErrorClass[] = [
  'timeout',
  'connection',
  'protocol',
  'auth',
  'unexpected',
  'smtp_4xx',
];

const NO_REPLY_AFTER_DATA =
  'No reply to the end of data; the server may or may not have accepted the message. Not retried automatically, to avoid sending it twice.';

const CONNECTION_CODES: Record<string, DeliveryErrorClass> = {
  ETIMEDOUT: 'timeout',
  ECONNECTION: 'connection',
  ECONNREFUSED: 'connection',
  ECONNRESET: 'connection',
  ESOCKET: 'connection',
  EDNS: 'connection',
  ETLS: 'connection',
  EPROTOCOL: 'protocol',
};

function asSmtpish(error: unknown): SmtpishError {
  return typeof error === 'object' && error !== null ? error : { message: String(error) };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 1000);
}

/**
 * True for a reply that asks the sender to slow down rather than saying anything of the recipient: a 421 (the
 * server closes the channel: too many connections or messages from us), or any 4xx whose enhanced status code
 * (RFC 3463, right after the reply code) is 4.7.x, the security and policy class (e.g. Gmail's "421 4.7.28" or
 * "450 4.7.1 try again later"). A plain 450 4.2.x (mailbox busy) is the recipient's and is not one.
 */
export function isDeferral(code: number, reply: string): boolean {
  if (code === 421) return true;
  if (code < 400 || code >= 500) return false;
  return /^(?:\d{3}[ -])?4\.7\.\d{1,3}(?!\d)/.test(reply.trim());
}

/** Classifies a reply code: 2xx accepted, 4xx temporary (a deferral among them), 5xx permanent. */
function fromResponseCode(code: number, reply: string): Outcome {
  if (code >= 500) return { kind: 'permanent', reply, errorClass: 'smtp_5xx', connectionLevel: false };
  if (code >= 400) {
    // A deferral (421, 4.7.x) slows its destination group only: it never counts towards the run's outage pause.
    if (isDeferral(code, reply))
      return { kind: 'temporary', reply, errorClass: 'smtp_4xx', connectionLevel: false, deferral: true };
    return { kind: 'temporary', reply, errorClass: 'smtp_4xx', connectionLevel: false };
  }
  return { kind: 'temporary', reply, errorClass: 'protocol', connectionLevel: true };
}

/** The outcome of a send that resolved: only a send with the recipient accepted and none rejected is "sent". */
export function outcomeOfSuccess(info: {
  response?: string;
  accepted?: unknown[];
  rejected?: unknown[];
  rejectedErrors?: unknown[];
}): Outcome {
  const rejectedError = info.rejectedErrors?.[0];
  if ((info.rejected?.length ?? 0) > 0 || !info.accepted?.length) {
    if (rejectedError) return outcomeOfFailure(rejectedError);
    return {
      kind: 'temporary',
      reply: oneLine(info.response ?? 'recipient not accepted'),
      errorClass: 'rejected',
      connectionLevel: false,
    };
  }
  const reply = oneLine(info.response ?? '');
  if (!/^2\d\d/.test(reply))
    return { kind: 'temporary', reply: reply || 'empty reply', errorClass: 'protocol', connectionLevel: true };
  return { kind: 'accepted', reply, errorClass: null, connectionLevel: false };
}

/** The outcome of a send that threw. */
export function outcomeOfFailure(error: unknown): Outcome {
  const e = asSmtpish(error);
  const reply = oneLine(e.response || e.message || String(error));
  // The server had the whole message and its reply never came (dropped, or later than the timeout): it may
  // deliver it, so a retry could be a second copy. Unknown, never retried by itself; it still says the server
  // misbehaves, so it counts towards an outage.
  if (e.afterData && typeof e.responseCode !== 'number')
    return {
      kind: 'unknown',
      reply: `${NO_REPLY_AFTER_DATA} (${reply})`,
      errorClass: 'no_reply',
      connectionLevel: true,
    };
  // An address only a server with SMTPUTF8 can take, for one without: no retry can change that.
  if (e.code === 'ESMTPUTF8') return { kind: 'permanent', reply, errorClass: 'smtputf8', connectionLevel: false };
  // Bad credentials are the server's (or our config's) problem, not the recipient's: pause, do not fail everyone.
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH')
    return { kind: 'temporary', reply, errorClass: 'auth', connectionLevel: true };
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) return fromResponseCode(e.responseCode, reply);
  const known = e.code ? CONNECTION_CODES[e.code] : undefined;
  if (known) return { kind: 'temporary', reply, errorClass: known, connectionLevel: true };
  if (/timeout|timed out/i.test(reply))
    return { kind: 'temporary', reply, errorClass: 'timeout', connectionLevel: true };
  if (typeof e.responseCode === 'number') return fromResponseCode(e.responseCode, reply);
  return { kind: 'temporary', reply, errorClass: 'unexpected', connectionLevel: true };
}
