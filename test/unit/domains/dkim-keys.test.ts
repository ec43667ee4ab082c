import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import { expect } from 'chai';
import {
  decryptPrivateKey,
  DkimKeyUnreadable,
  encryptPrivateKey,
  generateDkimKey,
} from '../../../src/delivery/dkim-keys.js';
import { loadConfig } from '../../../src/config.js';

const secret = createHash('sha256').update('a test secret that is long enough').digest();

describe('DKIM keys', () => {
  it('when an RSA key is encrypted and decrypted, then it signs what its published public key verifies', () => {
    const pair = generateDkimKey('rsa');
    const stored = encryptPrivateKey(pair.privateKeyPem, secret);
    expect(stored).to.match(/^v1\.[^.]+\.[^.]+\.[^.]+$/);
    expect(stored).not.to.contain('PRIVATE KEY');
    const key = decryptPrivateKey(stored, secret);
    const publicKey = createPublicKey({ key: Buffer.from(pair.publicKey, 'base64'), format: 'der', type: 'spki' });
    expect(publicKey.asymmetricKeyDetails?.modulusLength).to.equal(2048);
    const signature = sign('sha256', Buffer.from('hello'), key);
    expect(verify('sha256', Buffer.from('hello'), publicKey, signature)).to.equal(true);
  });

  it('when an Ed25519 key is made, then its record value is the raw 32-byte key', () => {
    const pair = generateDkimKey('ed25519');
    expect(Buffer.from(pair.publicKey, 'base64')).to.have.length(32);
    expect(decryptPrivateKey(encryptPrivateKey(pair.privateKeyPem, secret), secret).asymmetricKeyType).to.equal(
      'ed25519',
    );
  });

  it('when the secret differs or the stored text was altered, then decrypting refuses, naming DKIM_KEY_SECRET', () => {
    const stored = encryptPrivateKey(generateDkimKey('ed25519').privateKeyPem, secret);
    const other = createHash('sha256').update('another secret').digest();
    expect(() => decryptPrivateKey(stored, other)).to.throw(DkimKeyUnreadable, /DKIM_KEY_SECRET/);
    const parts = stored.split('.');
    const body = parts[3] as string;
    const flipped = [parts[0], parts[1], parts[2], `${body.startsWith('A') ? 'B' : 'A'}${body.slice(1)}`].join('.');
    expect(() => decryptPrivateKey(flipped, secret)).to.throw(DkimKeyUnreadable);
    expect(() => decryptPrivateKey('garbage', secret)).to.throw(DkimKeyUnreadable);
  });
});

describe('sending-domain settings', () => {
  const base = { NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), DATABASE_URL: 'sqlite::memory:' };

  it('when NODE_ENV=production and DKIM_KEY_SECRET is not set, then the start fails naming the variable', () => {
    expect(() => loadConfig(base)).to.throw(/DKIM_KEY_SECRET.*must be set/);
    expect(() => loadConfig({ ...base, DKIM_KEY_SECRET: 'short' })).to.throw(/DKIM_KEY_SECRET.*at least 32/);
    expect(loadConfig({ ...base, DKIM_KEY_SECRET: 'k'.repeat(32) }).senders.dkimKeySecret).to.have.length(32);
  });

  it('when SPF_MECHANISM is not one SPF term, then the start fails naming it; outside production a key is derived', () => {
    const dev = { ...base, NODE_ENV: 'development' };
    expect(() => loadConfig({ ...dev, SPF_MECHANISM: 'v=spf1 mx' })).to.throw(/SPF_MECHANISM/);
    const config = loadConfig({ ...dev, SPF_MECHANISM: 'include:_spf.relay.example' });
    expect(config.senders.spfMechanism).to.equal('include:_spf.relay.example');
    expect(config.senders.dkimKeySecret).to.have.length(32);
  });
});
