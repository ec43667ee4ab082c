// An SNS message posted to an HTTP endpoint, and its signature checked as AWS documents it ("Verifying the
// signatures of Amazon SNS messages"): the string to sign is "Name\nvalue\n" for the documented fields of its type,
// in their documented order (Subject only when present); SignatureVersion 1 is SHA1withRSA, 2 SHA256withRSA, over
// that string, with the key of the certificate at SigningCertURL, fetched only from an SNS endpoint.
import { verify } from 'node:crypto';
import { z } from 'zod';
import { signingCertificate, signingCertUrl } from './sns-certificates.js';

const text = z.string().min(1).max(300_000);

const snsMessageSchema = z.object({
  Type: z.enum(['SubscriptionConfirmation', 'Notification', 'UnsubscribeConfirmation']),
  MessageId: text,
  TopicArn: text,
  Message: z.string().max(300_000),
  Timestamp: text,
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().regex(/^[A-Za-z0-9+/]{40,2000}={0,2}$/),
  SigningCertURL: text,
  Subject: z.string().max(1000).nullish(),
  SubscribeURL: text.optional(),
  Token: text.optional(),
});

/** A message as SNS posts it (the fields this endpoint reads; SNS may add others). */
export type SnsMessage = z.infer<typeof snsMessageSchema>;

/** The message in a request body, or null when it is not one (no JSON, a field missing or of the wrong kind). */
export function parseSnsMessage(body: string): SnsMessage | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  const parsed = snsMessageSchema.safeParse(json);
  if (!parsed.success) return null;
  const message = parsed.data;
  const confirmation = message.Type !== 'Notification';
  return confirmation && (!message.SubscribeURL || !message.Token) ? null : message;
}

/** The fields each type signs, in AWS's order. */
const SIGNED_FIELDS: Record<SnsMessage['Type'], Array<keyof SnsMessage>> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
};

/** The string SNS signed for a message. */
export function snsStringToSign(message: SnsMessage): string {
  return SIGNED_FIELDS[message.Type]
    .filter((field) => message[field] !== undefined && message[field] !== null)
    .map((field) => `${field}\n${String(message[field])}\n`)
    .join('');
}

/** Why a message's signature could not be accepted, or `ok`. */
export type SnsVerdict = 'ok' | 'bad_cert_url' | 'cert_unavailable' | 'bad_signature';

/** Checks a message's signature against the certificate its SigningCertURL names (if that is an SNS address). */
export async function verifySnsMessage(message: SnsMessage): Promise<SnsVerdict> {
  const url = signingCertUrl(message.SigningCertURL);
  if (!url) return 'bad_cert_url';
  const certificate = await signingCertificate(url).catch(() => null);
  if (!certificate) return 'cert_unavailable';
  const algorithm = message.SignatureVersion === '1' ? 'sha1' : 'sha256';
  const signed = Buffer.from(snsStringToSign(message), 'utf8');
  try {
    return verify(algorithm, signed, certificate.publicKey, Buffer.from(message.Signature, 'base64'))
      ? 'ok'
      : 'bad_signature';
  } catch {
    return 'bad_signature';
  }
}
