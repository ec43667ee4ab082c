// DKIM keys: made with node:crypto, the private half kept only as AES-256-GCM ciphertext under DKIM_KEY_SECRET.
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

export type DkimAlgorithm = 'rsa' | 'ed25519';

export interface DkimKeyPair {
  algorithm: DkimAlgorithm;
  /** What the DNS record's p= carries: base64 SPKI DER for RSA, the raw 32 bytes for Ed25519 (RFC 8463). */
  publicKey: string;
  /** PKCS#8 PEM; lives only until it is encrypted. */
  privateKeyPem: string;
}

/** A fresh key pair for a sending domain (RSA 2048 by default, as every receiver verifies it). */
export function generateDkimKey(algorithm: DkimAlgorithm = 'rsa', rsaBits = 2048): DkimKeyPair {
  const pair =
    algorithm === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: rsaBits }) : generateKeyPairSync('ed25519');
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  // An Ed25519 SPKI is a 12-byte prefix and the 32-byte key; the record carries the key alone.
  const publicKey = (algorithm === 'rsa' ? spki : spki.subarray(spki.length - 32)).toString('base64');
  const privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { algorithm, publicKey, privateKeyPem };
}

const VERSION = 'v1';

/** The stored form of a private key: `v1.<iv>.<tag>.<ciphertext>` (base64), AES-256-GCM with a fresh 12-byte IV. */
export function encryptPrivateKey(pem: string, secret: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', secret, iv);
  const ciphertext = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()]);
  return [VERSION, ...[iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64'))].join('.');
}

/** Raised when a stored key cannot be opened: another DKIM_KEY_SECRET, or the text was altered. */
export class DkimKeyUnreadable extends Error {
  constructor() {
    super('The DKIM private key cannot be decrypted: DKIM_KEY_SECRET is not the one it was stored with');
  }
}

/** The private key back from its stored form, as a KeyObject the signer takes (it never becomes text again). */
export function decryptPrivateKey(stored: string, secret: Buffer): KeyObject {
  const [version, iv, tag, ciphertext] = stored.split('.');
  if (version !== VERSION || !iv || !tag || !ciphertext) throw new DkimKeyUnreadable();
  try {
    const decipher = createDecipheriv('aes-256-gcm', secret, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    const pem = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]);
    return createPrivateKey(pem);
  } catch {
    throw new DkimKeyUnreadable();
  }
}
