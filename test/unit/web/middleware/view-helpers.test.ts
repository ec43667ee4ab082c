import { expect } from 'chai';
import { formatDateTime, formatScheduleTime } from '../../../../src/web/middleware/view-helpers.js';
import { translator } from '../../../../src/i18n/i18n.js';

const AT = new Date('2026-12-01T18:26:07Z');

describe('view helpers: date-times', () => {
  it('when a moment is formatted, then it reads yyyy-MM-dd HH:mm and names its zone by offset', () => {
    expect(formatDateTime(AT, 'UTC')).to.equal('2026-12-01 18:26 UTC');
    expect(formatDateTime(AT, 'Europe/Moscow')).to.equal('2026-12-01 21:26 UTC+03:00');
    expect(formatDateTime(AT, 'America/St_Johns')).to.equal('2026-12-01 14:56 UTC-03:30');
    expect(formatDateTime(new Date('2026-07-01T10:00:00Z'), 'Europe/Berlin')).to.equal('2026-07-01 12:00 UTC+02:00');
  });

  it('when seconds are asked for (attempt times), then they are shown', () => {
    expect(formatDateTime(AT, 'UTC', { seconds: true })).to.equal('2026-12-01 18:26:07 UTC');
    expect(formatDateTime(AT, 'Europe/Moscow', { seconds: true })).to.equal('2026-12-01 21:26:07 UTC+03:00');
  });

  it('when there is no moment, then nothing is written', () => {
    expect(formatDateTime(null, 'UTC')).to.equal('');
    expect(formatScheduleTime(undefined, 'Europe/Moscow', 'UTC', translator('en'))).to.equal('');
  });

  it("when a schedule's zone differs from the reader's, then both are shown, the schedule's named", () => {
    expect(formatScheduleTime(AT, 'Europe/Moscow', 'UTC', translator('en'))).to.equal(
      '2026-12-01 21:26 UTC+03:00 (Europe/Moscow), 2026-12-01 18:26 UTC your time',
    );
    expect(formatScheduleTime(AT, 'Europe/Moscow', 'UTC', translator('ru'))).to.equal(
      '2026-12-01 21:26 UTC+03:00 (Europe/Moscow), по вашему времени 2026-12-01 18:26 UTC',
    );
  });

  it("when the schedule's zone has the reader's offset at that moment, then the one time is shown", () => {
    expect(formatScheduleTime(AT, 'Europe/Moscow', 'Europe/Moscow', translator('en'))).to.equal(
      '2026-12-01 21:26 UTC+03:00',
    );
    expect(formatScheduleTime(AT, 'Europe/London', 'UTC', translator('en'))).to.equal('2026-12-01 18:26 UTC');
  });
});
