// The time zones a form offers: the current IANA zones (Intl's canonical list, old ICU names replaced by the
// current ones), each labelled with its UTC offset now and a name in the reader's language, ordered by offset
// then name. The value submitted stays the IANA id; a zone already stored but not listed is kept as a choice.
import { DateTime } from 'luxon';
import { CURRENT_ZONE_NAMES, RUSSIAN_ZONE_NAMES } from './time-zone-names.js';

/** Every current zone's IANA id, UTC first. */
export const CURRENT_ZONES: readonly string[] = [
  'UTC',
  ...new Set(
    Intl.supportedValuesOf('timeZone')
      .filter((zone) => zone !== 'UTC' && !zone.startsWith('Etc/'))
      .map((zone) => CURRENT_ZONE_NAMES[zone] ?? zone),
  ),
];

/** One <option>: the IANA id and what a person reads. */
export interface ZoneChoice {
  value: string;
  label: string;
}

/** "UTC+03:00", "UTC−03:30" (a true minus sign), "UTC+00:00". */
export function offsetLabel(minutes: number): string {
  const sign = minutes < 0 ? '\u2212' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** A zone's name: the Russian one where known, else the city of its id ("America/New_York" → "New York"). */
export function zoneName(zone: string, language: string): string {
  if (language === 'ru' && RUSSIAN_ZONE_NAMES[zone]) return RUSSIAN_ZONE_NAMES[zone];
  if (zone === 'UTC') return 'Coordinated Universal Time';
  return (zone.split('/').pop() ?? zone).replace(/_/g, ' ');
}

function choiceOf(zone: string, language: string, now: DateTime): { choice: ZoneChoice; offset: number } {
  const offset = now.setZone(zone).offset;
  return { choice: { value: zone, label: `${offsetLabel(offset)} ${zoneName(zone, language)}` }, offset };
}

// The labels change only when some zone's offset does (daylight saving): computed once an hour per language.
const cache = new Map<string, ZoneChoice[]>();

function currentChoices(language: string, now: DateTime): ZoneChoice[] {
  const key = `${language} ${now.toUTC().toFormat('yyyy-MM-dd HH')}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const collator = new Intl.Collator(language);
  const choices = CURRENT_ZONES.map((zone) => choiceOf(zone, language, now))
    .sort((a, b) => a.offset - b.offset || collator.compare(a.choice.label, b.choice.label))
    .map(({ choice }) => choice);
  cache.clear();
  cache.set(key, choices);
  return choices;
}

/**
 * The zone list of a form in the reader's language. `current` is the value the form shows (a stored or typed
 * zone): when it is a valid zone the list does not offer (an old alias, Etc/GMT+3), it comes first, so saving
 * the form again keeps it.
 */
export function zoneChoices(language: string, current?: unknown, now: DateTime = DateTime.now()): ZoneChoice[] {
  const choices = currentChoices(language, now);
  if (typeof current !== 'string' || current === '' || choices.some((choice) => choice.value === current))
    return choices;
  if (!now.setZone(current).isValid) return choices;
  return [choiceOf(current, language, now).choice, ...choices];
}
