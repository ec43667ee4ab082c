// Instants written as ISO 8601 with a zone's offset, fast enough for a million-row export. Luxon's
// `DateTime.fromJSDate(…, { zone }).toISO()` asks Intl for the zone's offset on every call: a 1,000,000-row run
// log spent three quarters of its time there and grew the server by 35 MB of garbage (docs/PERFORMANCE.md,
// "The exports' cells"). A zone's offset changes only at its transitions, so it is asked once per quarter hour of
// UTC time and kept; the text is the same as Luxon's (test/unit/csv/zoned-iso.test.ts compares them).
import { DateTime, type Zone } from 'luxon';

/** The span whose offset is asked once: transitions fall on quarter hours of UTC in every zone since 1970. */
const SPAN_MS = 15 * 60 * 1000;

/** Spans kept per zone before the memory is cleared (a span is a few bytes; a decade is 350,000 spans). */
const MAX_SPANS = 100_000;

interface ZoneOffsets {
  zone: Zone;
  // The offset in minutes of each span whose start and end agree; null for a span with a transition inside.
  spans: Map<number, number | null>;
}

const zones = new Map<string, ZoneOffsets | null>();

function offsetsOf(name: string): ZoneOffsets | null {
  let known = zones.get(name);
  if (known === undefined) {
    const probe = DateTime.now().setZone(name);
    known = probe.isValid ? { zone: probe.zone, spans: new Map() } : null;
    zones.set(name, known);
  }
  return known;
}

function offsetAt(offsets: ZoneOffsets, ms: number): number {
  const span = Math.floor(ms / SPAN_MS);
  let offset = offsets.spans.get(span);
  if (offset === undefined) {
    if (offsets.spans.size >= MAX_SPANS) offsets.spans.clear();
    const start = offsets.zone.offset(span * SPAN_MS);
    offset = start === offsets.zone.offset(span * SPAN_MS + SPAN_MS - 1) ? start : null;
    offsets.spans.set(span, offset);
  }
  return offset ?? offsets.zone.offset(ms);
}

const twoDigits = (value: number): string => String(value).padStart(2, '0');

/** Luxon's `toISO({ suppressMilliseconds: true })` of the instant in the zone, or '' for an unknown zone. */
export function isoInZone(value: Date, zoneName: string): string {
  const offsets = offsetsOf(zoneName);
  if (!offsets) return '';
  const ms = value.getTime();
  const offset = offsetAt(offsets, ms);
  const wall = new Date(ms + offset * 60_000);
  const text = wall.toISOString();
  const clock = text.slice(0, wall.getUTCMilliseconds() === 0 ? 19 : 23);
  if (offsets.zone.isUniversal && offset === 0) return `${clock}Z`;
  const size = Math.abs(offset);
  return `${clock}${offset < 0 ? '-' : '+'}${twoDigits(Math.trunc(size / 60))}:${twoDigits(Math.trunc(size % 60))}`;
}
