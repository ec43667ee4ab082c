import { expect } from 'chai';
import { DateTime } from 'luxon';
import { SLOT_SECONDS, slotsToDays, type SlotCounts } from '../../../src/reports/report-days.js';

const slotOf = (iso: string, zone: string): number =>
  DateTime.fromISO(iso, { zone }).toMillis() / (SLOT_SECONDS * 1000);
const row = (slot: number | string, sent = 1, failed = 0, unknown = 0): SlotCounts => ({ slot, sent, failed, unknown });

/** The rule stated directly: each slot in the day its start's local date names (Luxon per slot). */
function perSlotDays(rows: readonly SlotCounts[], zone: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const r of rows) {
    const day = DateTime.fromMillis(Number(r.slot) * SLOT_SECONDS * 1000, { zone }).toISODate() ?? '';
    sums.set(day, (sums.get(day) ?? 0) + Number(r.sent));
  }
  return sums;
}

describe('report days from quarter-hour slots', () => {
  it('when a slot starts at local midnight, then it belongs to the new day, the one before to the old', () => {
    const zone = 'Europe/Moscow';
    const midnight = slotOf('2026-05-10T00:00', zone);
    const { days } = slotsToDays([row(midnight - 1, 2), row(midnight, 3)], zone, 60);
    expect(days).to.deep.equal([
      { day: '2026-05-09', sent: 2, failed: 0, unknown: 0 },
      { day: '2026-05-10', sent: 3, failed: 0, unknown: 0 },
    ]);
  });

  it('when the clocks change (Berlin, spring and autumn), then the 23- and 25-hour days hold their own slots', () => {
    const zone = 'Europe/Berlin';
    const start = slotOf('2026-03-27T00:00', zone);
    const end = slotOf('2026-10-27T00:00', zone);
    const rows: SlotCounts[] = [];
    for (let slot = start; slot < end; slot += 1) {
      const local = DateTime.fromMillis(slot * SLOT_SECONDS * 1000, { zone });
      const inDst = local.month === 3 || local.month === 10;
      if (inDst) rows.push(row(slot, 1, slot % 7 === 0 ? 1 : 0, slot % 2));
    }
    const { days, truncated } = slotsToDays(rows, zone, 400);
    expect(truncated).to.equal(false);
    const byDay = new Map(days.map((day) => [day.day, day]));
    expect(byDay.get('2026-03-29')?.sent).to.equal(92); // 23 hours
    expect(byDay.get('2026-10-25')?.sent).to.equal(100); // 25 hours
    expect(byDay.get('2026-06-15')?.sent).to.equal(0); // listed, empty
    const expected = perSlotDays(rows, zone);
    for (const day of days) expect(day.sent, day.day).to.equal(expected.get(day.day) ?? 0);
  });

  it('when the zone is not UTC, then the days agree with the per-slot rule in zones of every kind of offset', () => {
    for (const zone of ['UTC', 'America/Santiago', 'Asia/Kolkata', 'Pacific/Chatham', 'America/New_York']) {
      const first = slotOf('2026-03-01T00:00', 'UTC');
      const rows: SlotCounts[] = [];
      for (let slot = first; slot < first + 96 * 70; slot += 1 + (slot % 5)) rows.push(row(String(slot)));
      const { days, truncated } = slotsToDays(rows, zone, 60);
      expect(truncated, zone).to.equal(true);
      expect(days, zone).to.have.length(60);
      const expected = perSlotDays(rows, zone);
      for (const day of days) expect(day.sent, `${zone} ${day.day}`).to.equal(expected.get(day.day) ?? 0);
      expect(days.at(-1)?.day, zone).to.equal([...expected.keys()].at(-1));
    }
  });

  it('when there are no slots, then there are no days', () => {
    expect(slotsToDays([], 'Europe/Berlin', 60)).to.deep.equal({ days: [], truncated: false });
  });
});
