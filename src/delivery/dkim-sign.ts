// Signs a rendered message with its sending domain's keys: rsa-sha256 through nodemailer's DKIM signer, and when
// the domain has an Ed25519 key also ed25519-sha256 (RFC 8463) through our own (nodemailer's knows RSA only).
import type { KeyObject } from 'node:crypto';
import DKIM from 'nodemailer/lib/dkim';
import { ed25519SignatureField } from './dkim-ed25519.js';

/** What signing needs: the d= domain, the RSA key's s= selector and decrypted key, the optional Ed25519 key. */
export interface DkimSigning {
  domainName: string;
  keySelector: string;
  privateKey: KeyObject;
  /** The domain's Ed25519 key under its own selector: a second signature beside the RSA one. */
  ed25519?: { keySelector: string; privateKey: KeyObject } | null;
}

/**
 * The fields every signature covers (those the receivers and RFC 8058 ask for; a field a message lacks is left
 * out by the signer). List-Unsubscribe-Post must be signed for one-click unsubscribe to count.
 */
export const SIGNED_HEADER_FIELDS = [
  'From',
  'To',
  'Subject',
  'Date',
  'Message-ID',
  'Reply-To',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
  'MIME-Version',
  'Content-Type',
];

const signers = new WeakMap<KeyObject, DKIM>();

/** The rsa-sha256 DKIM-Signature field with its line break; one nodemailer signer per key, kept while the key lives. */
async function rsaSignatureField(raw: Buffer, signing: DkimSigning): Promise<Buffer> {
  let signer = signers.get(signing.privateKey);
  if (!signer) {
    const { domainName, keySelector, privateKey } = signing;
    signer = new DKIM({ domainName, keySelector, privateKey, headerFieldNames: SIGNED_HEADER_FIELDS.join(':') });
    signers.set(signing.privateKey, signer);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of signer.sign(raw)) chunks.push(chunk as Buffer);
  const signed = Buffer.concat(chunks);
  // nodemailer writes the field in front of the message's bytes, left as they were.
  const field = signed.subarray(0, signed.length - raw.length);
  if (field.length === 0 || !signed.subarray(field.length).equals(raw))
    throw new Error('The RSA DKIM signer did not sign the message (is the key an RSA key?)');
  return field;
}

/**
 * The message with its DKIM-Signature fields in front: the RSA one first (every receiver verifies it), then the
 * Ed25519 one when the domain has that key. Both cover the same fields of the same bytes.
 */
export async function signMessage(raw: Buffer, signing: DkimSigning): Promise<Buffer> {
  const rsa = await rsaSignatureField(raw, signing);
  if (!signing.ed25519) return Buffer.concat([rsa, raw]);
  const ed25519 = ed25519SignatureField(raw, {
    domainName: signing.domainName,
    ...signing.ed25519,
    fieldNames: SIGNED_HEADER_FIELDS,
  });
  return Buffer.concat([rsa, Buffer.from(`${ed25519}\r\n`, 'latin1'), raw]);
}

/** The bytes a transport sends: signed when the e-mail has a key, else as rendered. */
export function signedBytes(raw: Buffer, signing: DkimSigning | null | undefined): Promise<Buffer> {
  return signing ? signMessage(raw, signing) : Promise.resolve(raw);
}
