import { expect } from 'chai';
import {
  firstOccurrenceAfter,
  latestOccurrenceAtOrBefore,
  nextRunAt,
  occurrence,
  type Schedule,
} from '../../../src/delivery/schedule.js';

const utc = (iso: string): Date => new Date(iso);
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function schedule(overrides: Partial<Schedule>): Schedule {
  return {
    startAt: utc('2026-01-01T09:00:00Z'),
    endAt: utc('2027-01-01T00:00:00Z'),
    periodicity: 'daily',
    timeZone: 'UTC',
    ...overrides,
  };
}

describe('schedule math', () => {
  it('when daily in Europe/Berlin, then 09:00 local stays 09:00 across both DST changes', () => {
    // 09:00 CET = 08:00 UTC; after 2026-03-29 it is CEST, 09:00 local = 07:00 UTC; back after 2026-10-25.
    const s = schedule({ startAt: utc('2026-03-27T08:00:00Z'), timeZone: 'Europe/Berlin' });
    expect([0, 1, 2, 3].map((n) => iso(occurrence(s, n)))).to.deep.equal([
      '2026-03-27T08:00:00.000Z',
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
    const autumn = schedule({ startAt: utc('2026-10-24T07:00:00Z'), timeZone: 'Europe/Berlin' });
    expect([0, 1, 2].map((n) => iso(occurrence(autumn, n)))).to.deep.equal([
      '2026-10-24T07:00:00.000Z',
      '2026-10-25T08:00:00.000Z',
      '2026-10-26T08:00:00.000Z',
    ]);
  });

  it('when monthly from Jan 31, then runs fall on Feb 28 (29 in a leap year) and back on Mar 31', () => {
    const s = schedule({
      startAt: utc('2027-01-31T10:00:00Z'),
      endAt: utc('2029-01-01T00:00:00Z'),
      periodicity: 'monthly',
    });
    expect([0, 1, 2, 3].map((n) => iso(occurrence(s, n)))).to.deep.equal([
      '2027-01-31T10:00:00.000Z',
      '2027-02-28T10:00:00.000Z',
      '2027-03-31T10:00:00.000Z',
      '2027-04-30T10:00:00.000Z',
    ]);
    const leap = schedule({
      startAt: utc('2028-01-31T10:00:00Z'),
      endAt: utc('2029-01-01T00:00:00Z'),
      periodicity: 'monthly',
    });
    expect(iso(occurrence(leap, 1))).to.equal('2028-02-29T10:00:00.000Z');
  });

  it('when weekly, then runs are seven local days apart', () => {
    const s = schedule({ periodicity: 'weekly', startAt: utc('2026-03-23T08:00:00Z'), timeZone: 'Europe/Berlin' });
    expect(iso(occurrence(s, 1))).to.equal('2026-03-30T07:00:00.000Z');
  });

  it('when a run time reaches the end, then it is not a run (the end is exclusive)', () => {
    const s = schedule({ startAt: utc('2026-01-01T09:00:00Z'), endAt: utc('2026-01-03T09:00:00Z') });
    expect(iso(occurrence(s, 1))).to.equal('2026-01-02T09:00:00.000Z');
    expect(occurrence(s, 2)).to.equal(null);
    expect(firstOccurrenceAfter(s, utc('2026-01-02T09:00:00Z'))).to.equal(null);
  });

  it('when once, then only the start is a run', () => {
    const s = schedule({ periodicity: 'once' });
    expect(iso(occurrence(s, 0))).to.equal('2026-01-01T09:00:00.000Z');
    expect(occurrence(s, 1)).to.equal(null);
    expect(firstOccurrenceAfter(s, utc('2026-01-01T09:00:00Z'))).to.equal(null);
  });

  it('when asked for the latest occurrence, then it finds it far from the start and respects the window', () => {
    const s = schedule({ periodicity: 'monthly', startAt: utc('2026-01-31T09:00:00Z') });
    expect(iso(latestOccurrenceAtOrBefore(s, utc('2026-06-15T00:00:00Z')))).to.equal('2026-05-31T09:00:00.000Z');
    expect(iso(latestOccurrenceAtOrBefore(s, utc('2026-05-31T09:00:00Z')))).to.equal('2026-05-31T09:00:00.000Z');
    expect(latestOccurrenceAtOrBefore(s, utc('2025-12-31T00:00:00Z'))).to.equal(null);
    expect(iso(latestOccurrenceAtOrBefore(s, utc('2030-01-01T00:00:00Z')))).to.equal('2026-12-31T09:00:00.000Z');
  });

  describe('nextRunAt', () => {
    const s = schedule({ startAt: utc('2026-05-01T09:00:00Z'), endAt: utc('2026-05-10T00:00:00Z') });

    it('when the start is in the future, then the next run is the start', () => {
      expect(iso(nextRunAt(s, null, utc('2026-04-01T00:00:00Z')))).to.equal('2026-05-01T09:00:00.000Z');
    });

    it('when created inside the window, then a run is due at once (the latest occurrence)', () => {
      expect(iso(nextRunAt(s, null, utc('2026-05-03T15:00:00Z')))).to.equal('2026-05-03T09:00:00.000Z');
    });

    it('when the latest occurrence has run, then the next is the following one', () => {
      expect(iso(nextRunAt(s, utc('2026-05-03T09:00:00Z'), utc('2026-05-03T15:00:00Z')))).to.equal(
        '2026-05-04T09:00:00.000Z',
      );
    });

    it('when runs were missed, then only the latest missed one is due', () => {
      expect(iso(nextRunAt(s, utc('2026-05-01T09:00:00Z'), utc('2026-05-05T10:00:00Z')))).to.equal(
        '2026-05-05T09:00:00.000Z',
      );
    });

    it('when the window is over, then there is no next run', () => {
      expect(nextRunAt(s, utc('2026-05-09T09:00:00Z'), utc('2026-05-09T10:00:00Z'))).to.equal(null);
      expect(nextRunAt(s, null, utc('2026-06-01T00:00:00Z'))).to.equal(null);
    });

    it('when a once mailing has run, then there is no next run', () => {
      const once = schedule({ periodicity: 'once', startAt: utc('2026-05-01T09:00:00Z') });
      expect(iso(nextRunAt(once, null, utc('2026-05-01T09:30:00Z')))).to.equal('2026-05-01T09:00:00.000Z');
      expect(nextRunAt(once, utc('2026-05-01T09:00:00Z'), utc('2026-05-01T09:30:00Z'))).to.equal(null);
    });
  });
});
