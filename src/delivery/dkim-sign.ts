// Signs a rendered message with its sending domain's key, through nodemailer's DKIM signer (rsa-sha256, relaxed).
import type { KeyObject } from 'node:crypto';
import DKIM from 'nodemailer/lib/dkim';

/** What signing needs: the d= domain, the s= selector and the decrypted key. */
export interface DkimSigning {
  domainName: string;
  keySelector: string;
  privateKey: KeyObject;
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

/** The message with its DKIM-Signature field in front; one signer per key, kept while the key lives. */
export async function signMessage(raw: Buffer, signing: DkimSigning): Promise<Buffer> {
  let signer = signers.get(signing.privateKey);
  if (!signer) {
    signer = new DKIM({ ...signing, headerFieldNames: SIGNED_HEADER_FIELDS.join(':') });
    signers.set(signing.privateKey, signer);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of signer.sign(raw)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The bytes a transport sends: signed when the e-mail has a key, else as rendered. */
export function signedBytes(raw: Buffer, signing: DkimSigning | null | undefined): Promise<Buffer> {
  return signing ? signMessage(raw, signing) : Promise.resolve(raw);
}
