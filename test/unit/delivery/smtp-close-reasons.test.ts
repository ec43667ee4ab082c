import { expect } from 'chai';
import { closeReasons } from '../../../src/delivery/smtp-close-reasons.js';
import { outcomeOfFailure } from '../../../src/delivery/smtp-outcome.js';

const LINE = 'Connection #%s was closed by the server before message %s was sent: %s';
const NO_REQUEUE = Object.assign(new Error('Reached maximum number of retries after connection was closed'), {
  code: 'ECONNECTION',
});

describe('the reply that closed a reused pooled connection', () => {
  it('when the pool logged a 421 for the message, then its bare connection error becomes that deferral', () => {
    const reasons = closeReasons();
    reasons.logger.info(
      { tnx: 'pool' },
      LINE,
      3,
      '<run1.d5.a1@example.com>',
      'Recipient command failed: 421 4.7.0 Slow down',
    );
    const error = reasons.explain(NO_REQUEUE, '<run1.d5.a1@example.com>');
    expect(error).to.deep.include({ code: 'EENVELOPE', responseCode: 421, response: '421 4.7.0 Slow down' });
    expect(outcomeOfFailure(error)).to.deep.include({ deferral: true, connectionLevel: false, errorClass: 'smtp_4xx' });
    // Taken once: a later failure of the same message is its own.
    expect(reasons.explain(NO_REQUEUE, '<run1.d5.a1@example.com>')).to.equal(NO_REQUEUE);
  });

  it('when the connection closed without a reply, or for another message, then the error stays a connection failure', () => {
    const reasons = closeReasons();
    reasons.logger.info({ tnx: 'pool' }, LINE, 3, '<a@x>', 'Connection closed unexpectedly');
    expect(reasons.explain(NO_REQUEUE, '<a@x>')).to.equal(NO_REQUEUE);
    reasons.logger.info({ tnx: 'pool' }, LINE, 4, '<b@x>', 'Recipient command failed: 421 busy');
    expect(reasons.explain(NO_REQUEUE, '<c@x>')).to.equal(NO_REQUEUE);
    // Any other log line is ignored.
    reasons.logger.info({ tnx: 'pool' }, 'Sending message %s using #%s to <%s>', '<d@x>', 1, 'd@x.test');
    expect(reasons.explain(NO_REQUEUE, '<d@x>')).to.equal(NO_REQUEUE);
    expect(outcomeOfFailure(NO_REQUEUE)).to.deep.include({ connectionLevel: true, errorClass: 'connection' });
  });
});
