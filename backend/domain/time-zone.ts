/**
 * Site time zones. Indonesia has three zones and no daylight saving
 * (Keppres 41/1987), so the hot path uses a fixed-offset table; any other IANA
 * name falls back to Intl (offset taken at the instant in question).
 */
import { DomainError } from './domain-error.ts';
import { DAY_MS, dateFromDayNumber, dayNumber, type IsoDate, MINUTE_MS } from './local-date.ts';

/** A UTC instant: a Date or epoch milliseconds. */
export type Instant = Date | number;
export type ZoneAbbreviation = 'WIB' | 'WITA' | 'WIT';

/** Offsets in minutes east of UTC. Asia/Pontianak is WIB too. */
export const INDONESIAN_ZONE_OFFSETS: Readonly<Record<string, number>> = Object.freeze({
  'Asia/Jakarta': 420,
  'Asia/Pontianak': 420,
  'Asia/Makassar': 480,
  'Asia/Jayapura': 540,
});

const ABBREVIATIONS: Readonly<Record<number, ZoneAbbreviation>> = { 420: 'WIB', 480: 'WITA', 540: 'WIT' };

export function toEpochMs(instant: Instant): number {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  if (!Number.isFinite(ms)) throw new DomainError('INVALID_ARGUMENT', 'instant is not a finite time');
  return ms;
}

/** 'WIB' | 'WITA' | 'WIT' for the Indonesian zones, null for any other. */
export function zoneAbbreviation(timeZone: string): ZoneAbbreviation | null {
  const offset = INDONESIAN_ZONE_OFFSETS[timeZone];
  return offset === undefined ? null : (ABBREVIATIONS[offset] ?? null);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch (cause) {
      throw new DomainError('INVALID_TIME_ZONE', `unknown time zone ${JSON.stringify(timeZone)}`, { cause });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

function intlOffsetMinutes(timeZone: string, atMs: number): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(atMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? Number.NaN);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  const wholeSecond = Math.floor(atMs / 1000) * 1000;
  return Math.round((asUtc - wholeSecond) / MINUTE_MS);
}

/**
 * Minutes east of UTC. Table lookup for the Indonesian zones (no Intl call);
 * Intl at `at` (default: now) for any other zone.
 */
export function zoneOffsetMinutes(timeZone: string, at?: Instant): number {
  const fixed = INDONESIAN_ZONE_OFFSETS[timeZone];
  if (fixed !== undefined) return fixed;
  return intlOffsetMinutes(timeZone, at === undefined ? Date.now() : toEpochMs(at));
}

/** The UTC instant of a local wall-clock time: `minutes` after local midnight of `date` (may exceed 1440). */
export function localToInstant(date: IsoDate, minutes: number, timeZone: string): number {
  const wall = dayNumber(date) * DAY_MS + minutes * MINUTE_MS;
  const fixed = INDONESIAN_ZONE_OFFSETS[timeZone];
  if (fixed !== undefined) return wall - fixed * MINUTE_MS;
  // Two-step correction is exact for any zone whose offset does not change within a few hours.
  const guess = wall - intlOffsetMinutes(timeZone, wall) * MINUTE_MS;
  return wall - intlOffsetMinutes(timeZone, guess) * MINUTE_MS;
}

/** The local calendar date of an instant at a fixed offset. */
export function localDateAtOffset(ms: number, offsetMinutes: number): IsoDate {
  return dateFromDayNumber(Math.floor((ms + offsetMinutes * MINUTE_MS) / DAY_MS));
}

/** The local calendar date of an instant in a site's zone. */
export function localDateOf(instant: Instant, timeZone: string): IsoDate {
  const ms = toEpochMs(instant);
  return localDateAtOffset(ms, zoneOffsetMinutes(timeZone, ms));
}

/** 'HH:MM:SS' local wall-clock time of an instant at a fixed offset (for display and reasons). */
export function formatLocalTime(ms: number, offsetMinutes: number): string {
  const local = ms + offsetMinutes * MINUTE_MS;
  const secondOfDay = Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / 1000);
  const h = Math.floor(secondOfDay / 3600);
  const m = Math.floor((secondOfDay % 3600) / 60);
  const s = secondOfDay % 60;
  return [h, m, s].map((v) => String(v).padStart(2, '0')).join(':');
}
