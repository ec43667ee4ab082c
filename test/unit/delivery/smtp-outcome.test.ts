import { expect } from 'chai';
import { isDeferral, outcomeOfFailure, outcomeOfSuccess } from '../../../src/delivery/smtp-outcome.js';

describe('SMTP outcome classes', () => {
  it('when the server accepts, then the outcome is accepted with its reply', () => {
    const outcome = outcomeOfSuccess({ response: '250 2.0.0 Ok: queued as 4F2', accepted: ['a@x.test'], rejected: [] });
    expect(outcome).to.deep.include({ kind: 'accepted', reply: '250 2.0.0 Ok: queued as 4F2', errorClass: null });
  });

  it('when a send resolves with the recipient rejected, then it is not sent', () => {
    const temporary = outcomeOfSuccess({
      response: '250 Ok',
      accepted: [],
      rejected: ['a@x.test'],
      rejectedErrors: [{ code: 'EENVELOPE', responseCode: 452, response: '452 4.2.2 Mailbox full' }],
    });
    expect(temporary).to.deep.include({ kind: 'temporary', errorClass: 'smtp_4xx', reply: '452 4.2.2 Mailbox full' });
    const permanent = outcomeOfSuccess({
      accepted: [],
      rejected: ['a@x.test'],
      rejectedErrors: [{ responseCode: 550, response: '550 No such user' }],
    });
    expect(permanent.kind).to.equal('permanent');
    expect(outcomeOfSuccess({ response: '250 Ok', accepted: [], rejected: ['a@x.test'] }).kind).to.equal('temporary');
  });

  it('when the reply of a resolved send is not a 2xx line, then it is a temporary protocol problem', () => {
    expect(outcomeOfSuccess({ response: 'garbage', accepted: ['a@x.test'], rejected: [] })).to.deep.include({
      kind: 'temporary',
      errorClass: 'protocol',
    });
  });

  const cases: [string, unknown, string, string, boolean][] = [
    [
      '451 at RCPT',
      { code: 'EENVELOPE', responseCode: 451, response: '451 try later' },
      'temporary',
      'smtp_4xx',
      false,
    ],
    ['452 at DATA', { code: 'EMESSAGE', responseCode: 452, response: '452 full' }, 'temporary', 'smtp_4xx', false],
    // A deferral: the destination slows us down, the server itself answered (pacing per destination).
    [
      '421 closing',
      { code: 'ECONNECTION', responseCode: 421, response: '421 closing' },
      'temporary',
      'smtp_4xx',
      false,
    ],
    [
      '550 at RCPT',
      { code: 'EENVELOPE', responseCode: 550, response: '550 unknown user' },
      'permanent',
      'smtp_5xx',
      false,
    ],
    ['553 at DATA', { code: 'EMESSAGE', responseCode: 553, response: '553 bad' }, 'permanent', 'smtp_5xx', false],
    ['greeting timeout', { code: 'ETIMEDOUT', message: 'Greeting never received' }, 'temporary', 'timeout', true],
    [
      'connection refused',
      { code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:1' },
      'temporary',
      'connection',
      true,
    ],
    ['dropped', { code: 'ECONNECTION', message: 'Connection closed unexpectedly' }, 'temporary', 'connection', true],
    ['garbage', { code: 'EPROTOCOL', message: 'HELLO THERE' }, 'temporary', 'protocol', true],
    ['bad credentials', { code: 'EAUTH', responseCode: 535, response: '535 auth failed' }, 'temporary', 'auth', true],
    ['a thrown string', 'boom', 'temporary', 'unexpected', true],
    [
      'the connection dropped after the final dot',
      { code: 'ECONNECTION', message: 'Connection closed unexpectedly', afterData: true },
      'unknown',
      'no_reply',
      true,
    ],
    [
      'no reply to the final dot in time',
      { code: 'ETIMEDOUT', message: 'Timeout', afterData: true },
      'unknown',
      'no_reply',
      true,
    ],
    [
      '451 to the final dot',
      { code: 'EMESSAGE', responseCode: 451, response: '451 later', afterData: true },
      'temporary',
      'smtp_4xx',
      false,
    ],
  ];
  for (const [name, error, kind, errorClass, connectionLevel] of cases) {
    it(`when ${name}, then it is ${kind} (${errorClass})`, () => {
      expect(outcomeOfFailure(error)).to.deep.include({ kind, errorClass, connectionLevel });
    });
  }

  it('when a reply spans lines, then it is stored as one line', () => {
    expect(outcomeOfFailure({ responseCode: 550, response: '550-first\r\n550 second' }).reply).to.equal(
      '550-first 550 second',
    );
  });

  const deferrals: [string, number, string, boolean][] = [
    ['421 without an enhanced code', 421, '421 Service not available, closing channel', true],
    ["Gmail's 421 4.7.28", 421, '421 4.7.28 Our system has detected an unusual rate of unsolicited mail', true],
    ['450 4.7.1', 450, '450 4.7.1 Try again later', true],
    ['451 4.7.500 (Outlook)', 451, '451 4.7.500 Server busy. Please try again later', true],
    ['a multi-line 452-4.7.0', 452, '452-4.7.0 Too many messages', true],
    ['450 4.2.1 (mailbox busy)', 450, '450 4.2.1 Mailbox busy', false],
    ['451 4.3.0 (local error)', 451, '451 4.3.0 Local error', false],
    ['452 with 4.7 only in the text', 452, '452 4.2.2 over quota, see 4.7.1 in the docs', false],
    ['550 5.7.1 (a refusal)', 550, '550 5.7.1 Rejected by policy', false],
    ['450 4.7 without its detail', 450, '450 4.7 later', false],
  ];
  for (const [what, code, reply, expected] of deferrals) {
    it(`when the reply is ${what}, then it ${expected ? 'is' : 'is not'} a deferral`, () => {
      expect(isDeferral(code, reply)).to.equal(expected);
      const outcome = outcomeOfFailure({ code: 'EENVELOPE', responseCode: code, response: reply });
      expect(Boolean(outcome.deferral)).to.equal(expected);
      // A deferral never counts towards the run's outage pause.
      if (expected)
        expect(outcome).to.deep.include({ kind: 'temporary', errorClass: 'smtp_4xx', connectionLevel: false });
    });
  }

  it('when a deferral comes as a rejected recipient of a resolved send, then it is a deferral too', () => {
    const outcome = outcomeOfSuccess({
      response: '250 Ok',
      accepted: [],
      rejected: ['a@x.test'],
      rejectedErrors: [{ code: 'EENVELOPE', responseCode: 450, response: '450 4.7.1 Slow down' }],
    });
    expect(outcome).to.deep.include({ kind: 'temporary', deferral: true, connectionLevel: false });
  });

  it('when a deferral reply never came after the final dot, then it stays unknown, never a deferral', () => {
    const outcome = outcomeOfFailure({ code: 'ETIMEDOUT', message: 'Timeout', afterData: true });
    expect(outcome.kind).to.equal('unknown');
    expect(outcome.deferral).to.equal(undefined);
  });
});
