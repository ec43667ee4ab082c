import { expect } from 'chai';
import { sendRateKey } from '../../../src/delivery/send-rate.js';

describe('the send rate key', () => {
  it('when an SMTP URL names a port, then the key is its host and port, without the credentials', () => {
    expect(sendRateKey('smtp://user:secret@Relay.Example.com:2525')).to.equal('relay.example.com:2525');
  });

  it('when an SMTP URL names no port, then the key has the port nodemailer connects to', () => {
    expect(sendRateKey('smtp://relay.example.com')).to.equal('relay.example.com:587');
    expect(sendRateKey('smtps://relay.example.com')).to.equal('relay.example.com:465');
  });
});
