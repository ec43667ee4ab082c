// A delivery's Message-ID, `<run<run>.d<delivery>.a<attempt>@<domain>>`: written by compose.ts, read back by the
// provider webhooks, which report the header of the message they refer to. It is not signed (a VERP address is),
// so a reader checks what else it knows: the run it names, the recipient the report names.
/** The Message-ID of one attempt of one delivery, on the sending domain. */
export function messageIdOf(runId: number, deliveryId: number, attempt: number, domain: string): string {
  return `<run${runId}.d${deliveryId}.a${attempt}@${domain}>`;
}

/** What a Message-ID of ours names, with or without its angle brackets (Mailgun drops them); null: not ours. */
export function deliveryOfMessageId(messageId: string): { runId: number; deliveryId: number } | null {
  const match = /^<?run(\d{1,15})\.d(\d{1,15})\.a\d{1,6}@[^<>@\s]+>?$/i.exec(messageId.trim());
  if (!match) return null;
  const runId = Number(match[1]);
  const deliveryId = Number(match[2]);
  return runId > 0 && deliveryId > 0 ? { runId, deliveryId } : null;
}
