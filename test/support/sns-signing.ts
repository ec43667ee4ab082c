// Playing Amazon SNS in tests: a key pair with a self-signed X.509 certificate (DER written here, since node's
// crypto reads certificates but does not make them), messages signed the way AWS documents (the string to sign
// built here on its own, not with the code under test), and an in-memory fetcher in place of HTTPS.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { forgetSigningCertificates } from '../../src/webhooks/sns-certificates.js';
import { useSnsFetcher } from '../../src/webhooks/sns-fetcher.js';

function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const sequence = (...parts: Buffer[]) => der(0x30, Buffer.concat(parts));
/** A small non-negative INTEGER in DER's minimal form. */
function integer(value: number): Buffer {
  const bytes = [value & 0xff];
  for (let v = value >> 8; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return der(0x02, Buffer.from(bytes));
}
const utcTime = (date: Date) =>
  der(0x17, Buffer.from(`${date.toISOString().slice(2, 19).replace(/[-T:]/g, '')}Z`, 'ascii'));

function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) groups.unshift((v & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

function name(commonName: string): Buffer {
  return sequence(der(0x31, sequence(oid('2.5.4.3'), der(0x0c, Buffer.from(commonName, 'utf8')))));
}

/** A signer of SNS messages: its private key and the PEM certificate of its public key. */
export interface SnsSigner {
  privateKey: KeyObject;
  certificatePem: string;
}

/** A fresh RSA key and a self-signed certificate valid from yesterday to tomorrow. */
export function makeSnsSigner(commonName = 'sns.amazonaws.com'): SnsSigner {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const algorithm = sequence(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
  const day = 24 * 60 * 60 * 1000;
  const tbs = sequence(
    der(0xa0, integer(2)),
    integer(4242),
    algorithm,
    name(commonName),
    sequence(utcTime(new Date(Date.now() - day)), utcTime(new Date(Date.now() + day))),
    name(commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
  );
  const signature = sign('sha256', tbs, privateKey);
  const certificate = sequence(tbs, algorithm, der(0x03, Buffer.concat([Buffer.from([0x00]), signature])));
  const base64 = certificate.toString('base64').replace(/(.{64})/g, '$1\n');
  return { privateKey, certificatePem: `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n` };
}

/** An SNS message's fields before signing. */
export type SnsFields = Record<string, string> & { Type: string };

const NOTIFICATION = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'];
const CONFIRMATION = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];

/** The message with SignatureVersion, SigningCertURL and Signature added, signed as SNS signs. */
export function signSnsMessage(
  fields: SnsFields,
  signer: SnsSigner,
  options: { certUrl: string; version?: '1' | '2' },
): Record<string, string> {
  const version = options.version ?? '2';
  const order = fields.Type === 'Notification' ? NOTIFICATION : CONFIRMATION;
  const toSign = order
    .filter((field) => fields[field] !== undefined)
    .map((field) => `${field}\n${fields[field]}\n`)
    .join('');
  const signature = sign(version === '1' ? 'sha1' : 'sha256', Buffer.from(toSign, 'utf8'), signer.privateKey);
  return {
    ...fields,
    SignatureVersion: version,
    Signature: signature.toString('base64'),
    SigningCertURL: options.certUrl,
  };
}

/** What the in-memory fetcher was asked for, and what it answers (URL → body; anything else fails). */
export interface FakeSns {
  answers: Map<string, string>;
  fetched: string[];
}

/** Puts an in-memory fetcher in place of HTTPS (and empties the certificate cache); `restoreSns` undoes it. */
export function fakeSns(): FakeSns {
  const fake: FakeSns = { answers: new Map(), fetched: [] };
  forgetSigningCertificates();
  useSnsFetcher((url) => {
    fake.fetched.push(url.href);
    const body = fake.answers.get(url.href);
    return body === undefined ? Promise.reject(new Error(`no answer for ${url.href}`)) : Promise.resolve(body);
  });
  return fake;
}

/** Restores the HTTPS fetcher and empties the certificate cache. */
export function restoreSns(): void {
  useSnsFetcher(null);
  forgetSigningCertificates();
}
