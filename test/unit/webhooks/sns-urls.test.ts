import { expect } from 'chai';
import { signingCertUrl, snsUrl } from '../../../src/webhooks/sns-certificates.js';
import { deliveryOfMessageId, messageIdOf } from '../../../src/delivery/message-id.js';

describe('SNS addresses', () => {
  it('takes only HTTPS addresses of an SNS endpoint, host checked whole', () => {
    const good = [
      'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
      'https://sns.eu-central-1.amazonaws.com/x.pem',
      'https://sns.us-gov-west-1.amazonaws.com/x.pem',
      'https://sns.cn-north-1.amazonaws.com.cn/x.pem',
    ];
    const bad = [
      'http://sns.us-east-1.amazonaws.com/x.pem',
      'https://sns.us-east-1.amazonaws.com.evil.example/x.pem',
      'https://evil.example/sns.us-east-1.amazonaws.com/x.pem',
      'https://sqs.us-east-1.amazonaws.com/x.pem',
      'https://sns.amazonaws.com/x.pem',
      'https://xsns.us-east-1.amazonaws.com/x.pem',
      'https://sns.us-east-1.amazonaws.com:444/x.pem',
      'https://a:b@sns.us-east-1.amazonaws.com/x.pem',
      'https://sns.us-east-1.amazonaws.com/x.pem#frag',
      'https://sns.us-east-1.amazonaws.com/x.pem?redirect=https://evil.example/',
      'https://sns.us-east-1.amazonaws.com/x.crt',
      'file:///etc/passwd',
      'not a url',
    ];
    expect(good.filter((url) => !signingCertUrl(url))).to.deep.equal([]);
    expect(bad.filter((url) => signingCertUrl(url))).to.deep.equal([]);
    expect(snsUrl('https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=x')).to.not.equal(null);
    expect(snsUrl('https://sns.us-east-1.amazonaws.com.evil.example/?Action=ConfirmSubscription')).to.equal(null);
  });
});

describe('our Message-IDs', () => {
  it('names the run and the delivery, with or without angle brackets; anything else is not ours', () => {
    const id = messageIdOf(12, 345, 2, 'news.example.com');
    expect(id).to.equal('<run12.d345.a2@news.example.com>');
    expect(deliveryOfMessageId(id)).to.deep.equal({ runId: 12, deliveryId: 345 });
    expect(deliveryOfMessageId('run12.d345.a2@news.example.com')).to.deep.equal({ runId: 12, deliveryId: 345 });
    for (const other of ['<run0.d5.a1@x.test>', '<abc@x.test>', '<run1.d2@x.test>', 'run1.d2.a1@x@y', ''])
      expect(deliveryOfMessageId(other), other).to.equal(null);
  });
});
