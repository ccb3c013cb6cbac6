import { DomainError } from './domain-error.ts';

/** A local calendar date 'YYYY-MM-DD'. ISO strings compare correctly with < and >. */
export type IsoDate = string;
/** A calendar month 'YYYY-MM'. */
export type IsoMonth = string;
export type Weekday = 'Sun' | 'Mon' | 'Tue' | 'Wed' | 'Thu' | 'Fri' | 'Sat';

/** Indexed like `Date#getUTCDay()`: 0 = Sunday. */
export const WEEKDAYS: readonly Weekday[] = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_MONTH = /^(\d{4})-(\d{2})$/;

/** Days since 1970-01-01 of a valid 'YYYY-MM-DD'; throws DomainError('INVALID_DATE') otherwise. */
export function dayNumber(date: IsoDate): number {
  const m = ISO_DATE.exec(date);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    const ms = Date.UTC(y, mo - 1, d);
    const check = new Date(ms);
    if (check.getUTCFullYear() === y && check.getUTCMonth() === mo - 1 && check.getUTCDate() === d) {
      return ms / DAY_MS;
    }
  }
  throw new DomainError('INVALID_DATE', `not a valid date 'YYYY-MM-DD': ${JSON.stringify(date)}`);
}

export function isIsoDate(value: string): boolean {
  try {
    dayNumber(value);
    return true;
  } catch {
    return false;
  }
}

export function dateFromDayNumber(n: number): IsoDate {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return dateFromDayNumber(dayNumber(date) + days);
}

export function weekdayOf(date: IsoDate): Weekday {
  // 1970-01-01 was a Thursday (index 4).
  return WEEKDAYS[(((dayNumber(date) + 4) % 7) + 7) % 7] as Weekday;
}

function parseMonth(month: IsoMonth): { y: number; m: number } {
  const match = ISO_MONTH.exec(month);
  const y = Number(match?.[1]);
  const m = Number(match?.[2]);
  if (!match || m < 1 || m > 12) {
    throw new DomainError('INVALID_MONTH', `not a valid month 'YYYY-MM': ${JSON.stringify(month)}`);
  }
  return { y, m };
}

export function isIsoMonth(value: string): boolean {
  try {
    parseMonth(value);
    return true;
  } catch {
    return false;
  }
}

export function monthOf(date: IsoDate): IsoMonth {
  dayNumber(date);
  return date.slice(0, 7);
}

/** Every date of the month, in order. */
export function datesOfMonth(month: IsoMonth): IsoDate[] {
  const { y, m } = parseMonth(month);
  const first = Date.UTC(y, m - 1, 1) / DAY_MS;
  const next = Date.UTC(y, m, 1) / DAY_MS;
  const out: IsoDate[] = [];
  for (let n = first; n < next; n++) out.push(dateFromDayNumber(n));
  return out;
}

export function addMonths(month: IsoMonth, count: number): IsoMonth {
  const { y, m } = parseMonth(month);
  const index = y * 12 + (m - 1) + count;
  const ny = Math.floor(index / 12);
  const nm = index - ny * 12 + 1;
  return `${String(ny).padStart(4, '0')}-${String(nm).padStart(2, '0')}`;
}

export function lastDateOfMonth(month: IsoMonth): IsoDate {
  return addDays(`${addMonths(month, 1)}-01`, -1);
}

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after local midnight of a wall-clock 'HH:MM' (00:00–23:59). */
export function clockMinutes(clock: string): number {
  const m = CLOCK.exec(clock);
  if (!m) throw new DomainError('INVALID_CLOCK_TIME', `not a clock time 'HH:MM': ${JSON.stringify(clock)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export function isClockTime(value: string): boolean {
  return CLOCK.test(value);
}
