import { expect } from 'chai';
import { parseForm } from '../../../src/forms/parse-form.js';
import { mailingForm, windowProblem, type MailingWindow } from '../../../src/mailings/mailing.form.js';

const now = new Date('2030-06-15T12:00:00Z');

function window(overrides: Partial<MailingWindow> = {}): MailingWindow {
  return {
    startAt: new Date('2030-06-01T09:00:00Z'),
    endAt: new Date('2030-06-10T09:00:00Z'),
    periodicity: 'daily',
    timeZone: 'UTC',
    ...overrides,
  };
}

describe('the rule of a mailing’s window', () => {
  it('when the end is not after the start, then it is refused whether or not the window changes', () => {
    const backwards = window({ endAt: new Date('2030-06-01T09:00:00Z') });
    expect(windowProblem(backwards, now)).to.equal('forms.endBeforeStart');
    expect(windowProblem(backwards, now, backwards)).to.equal('forms.endBeforeStart');
  });

  it('when a new window ends in the past, then it is refused; one ending ahead passes', () => {
    expect(windowProblem(window(), now)).to.equal('forms.endInPast');
    expect(windowProblem(window({ endAt: new Date('2030-07-01T00:00:00Z') }), now)).to.equal(null);
  });

  it('when an edit keeps a past window as it is, then it passes; changing any part of it is a new window', () => {
    const current = window();
    expect(windowProblem(window(), now, current)).to.equal(null);
    for (const change of [
      { startAt: new Date('2030-06-02T09:00:00Z') },
      { endAt: new Date('2030-06-11T09:00:00Z') },
      { periodicity: 'weekly' as const },
      { timeZone: 'Europe/Berlin' },
    ]) {
      expect(windowProblem(window(change), now, current), JSON.stringify(change)).to.equal('forms.endInPast');
    }
  });

  it('when the site’s form gets a window, then it answers with the same rule on the end field', () => {
    const fields = { name: 'Weekly news', messageId: '1', allClients: 'on', periodicity: 'daily', timeZone: 'UTC' };
    const past = parseForm(mailingForm('UTC', now), {
      ...fields,
      startAt: '2030-06-01T09:00',
      endAt: '2030-06-10T09:00',
    });
    expect(past).to.deep.equal({ ok: false, errors: { endAt: windowProblem(window(), now) } });
    const backwards = parseForm(mailingForm('UTC', now), {
      ...fields,
      startAt: '2030-07-01T09:00',
      endAt: '2030-06-30T09:00',
    });
    expect(backwards).to.deep.equal({ ok: false, errors: { endAt: 'forms.endBeforeStart' } });
  });
});
