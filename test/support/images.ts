// Image bytes for tests: stored images are named by their content, so each test makes bytes no other test has.
import { randomBytes } from 'node:crypto';

/** A PNG by its signature (what the image rule checks), with random bytes after it: its own hash. */
export function uniquePng(): Buffer {
  return Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), randomBytes(48)]);
}

/** A GIF likewise. */
export function uniqueGif(): Buffer {
  return Buffer.concat([Buffer.from('GIF89a', 'latin1'), randomBytes(48)]);
}
