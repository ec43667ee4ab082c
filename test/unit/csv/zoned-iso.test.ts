import { expect } from 'chai';
import { DateTime } from 'luxon';
import { isoInZone } from '../../../src/zoned-iso.js';

const luxon = (value: Date, zone: string): string =>
  DateTime.fromJSDate(value, { zone }).toISO({ suppressMilliseconds: true }) ?? '';

// Zones with DST (both hemispheres), half- and quarter-hour offsets, a 30-minute DST shift, fixed and UTC names.
const ZONES = [
  'Europe/Moscow',
  'Europe/London',
  'America/New_York',
  'America/St_Johns',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'Europe/Kaliningrad',
  'UTC',
  'Etc/UTC',
  'Etc/GMT+5',
];

describe('instants in a zone, as ISO 8601', () => {
  it('when instants are spread over fifty years, every minute around each transition included, then the text is Luxon’s for every zone', () => {
    const instants: Date[] = [];
    // A pseudo-random spread from 1975 to 2035, with and without milliseconds.
    let seed = 7;
    for (let i = 0; i < 3000; i += 1) {
      seed = (seed * 48271) % 2147483647;
      const ms = Date.UTC(1975, 0, 1) + (seed / 2147483647) * 60 * 365.25 * 86_400_000;
      instants.push(new Date(i % 2 === 0 ? Math.floor(ms / 1000) * 1000 : Math.floor(ms)));
    }
    for (const zone of ZONES) {
      const transitions = [2026, 2027].flatMap((year) => {
        const found: number[] = [];
        let previous = DateTime.fromMillis(Date.UTC(year, 0, 1), { zone }).offset;
        for (let hour = 0; hour < 366 * 24; hour += 1) {
          const at = Date.UTC(year, 0, 1) + hour * 3_600_000;
          const offset = DateTime.fromMillis(at, { zone }).offset;
          if (offset !== previous) found.push(at);
          previous = offset;
        }
        return found;
      });
      const near = transitions.flatMap((at) =>
        Array.from({ length: 241 }, (_, minute) => new Date(at - 2 * 3_600_000 + minute * 60_000 - 1)),
      );
      for (const instant of [...instants, ...near]) {
        expect(isoInZone(instant, zone), `${instant.toISOString()} in ${zone}`).to.equal(luxon(instant, zone));
      }
    }
  });

  it('when the zone is unknown, then the text is empty, as Luxon’s invalid date gives', () => {
    expect(isoInZone(new Date(), 'Mars/Olympus')).to.equal('');
    expect(luxon(new Date(), 'Mars/Olympus')).to.equal('');
  });
});
