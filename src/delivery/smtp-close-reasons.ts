// The server's reply that closed a reused pooled connection before a message's first byte went. nodemailer's pool
// then fails the message with a bare "Reached maximum number of retries after connection was closed" (we allow it no
// requeue: every try is ours), and the reply itself, often a 421 deferral, reaches only the pool's log line. This
// listens to that line, so the outcome can carry the reply (a 421 slows its destination group, never the run).

/** The pool's log line for a message whose connection the server closed before any of it was sent. */
const CLOSED_BEFORE_SENT = 'Connection #%s was closed by the server before message %s was sent: %s';
const NO_REQUEUE = /maximum number of retries after connection was closed/i;
/** How many messages' reasons are kept at most (each is taken once its send fails; the rest are stale). */
const KEPT = 1000;

type LogMethod = (entry: unknown, message?: unknown, ...args: unknown[]) => void;

export interface CloseReasons {
  /** A bunyan-style logger for nodemailer's `logger` option: it keeps the one line above, ignores the rest. */
  readonly logger: Record<'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', LogMethod>;
  /**
   * The send's error with the server's reply put back (its code as `responseCode`, as nodemailer gives a refused
   * RCPT), when the pool failed it for a connection the server closed with a reply; else the error as it was.
   */
  explain(error: unknown, messageId: string): unknown;
}

const bare = (messageId: string): string => messageId.replace(/^<|>$/g, '');

/** One per transport: the reasons of its pool's closed connections, by Message-ID. */
export function closeReasons(): CloseReasons {
  const reasons = new Map<string, string>();
  const ignore: LogMethod = () => undefined;
  const info: LogMethod = (_entry, message, ...args) => {
    if (message !== CLOSED_BEFORE_SENT || typeof args[1] !== 'string' || typeof args[2] !== 'string') return;
    if (reasons.size >= KEPT) reasons.delete(reasons.keys().next().value as string);
    reasons.set(bare(args[1]), args[2]);
  };
  return {
    logger: { trace: ignore, debug: ignore, info, warn: ignore, error: ignore, fatal: ignore },
    explain(error, messageId) {
      const reason = reasons.get(bare(messageId));
      reasons.delete(bare(messageId));
      const message = error instanceof Error ? error.message : '';
      // "Recipient command failed: 421 4.7.0 Try again later": the reply is what follows the first ": ".
      const reply = reason?.slice(reason.indexOf(': ') + 2) ?? '';
      const code = /^([2-5]\d\d)[ -]/.exec(reply)?.[1];
      if (!NO_REQUEUE.test(message) || !code) return error;
      return Object.assign(new Error(reason), { code: 'EENVELOPE', response: reply, responseCode: Number(code) });
    },
  };
}
