/**
 * The regional calendar: national holidays, collective leave (cuti bersama),
 * regional holidays, and dated special periods (Ramadan) with their own hours.
 * Ramadan dates change every year, so they are data here, not a rule.
 */
import type { IsoDate } from './local-date.ts';
import { RAMADAN_HOURS, type WeeklyHours } from './working-hours.ts';

export type HolidayKind = 'NationalHoliday' | 'CollectiveLeave' | 'RegionalHoliday';

export interface Holiday {
  date: IsoDate;
  name: string;
  kind: HolidayKind;
}

export type SpecialPeriodKind = 'Ramadan' | 'Other';

export interface SpecialPeriod {
  id: string;
  name: string;
  kind: SpecialPeriodKind;
  /** Inclusive local dates. */
  from: IsoDate;
  to: IsoDate;
  /** Hours replacing a schedule's own on the weekdays listed here. */
  hours: WeeklyHours;
}

export interface Calendar {
  holidays: readonly Holiday[];
  specialPeriods: readonly SpecialPeriod[];
}

export const EMPTY_CALENDAR: Calendar = Object.freeze({ holidays: [], specialPeriods: [] });

export function ramadanPeriod(from: IsoDate, to: IsoDate, id = `ramadan-${from.slice(0, 4)}`): SpecialPeriod {
  return { id, name: `Ramadan ${from.slice(0, 4)}`, kind: 'Ramadan', from, to, hours: { ...RAMADAN_HOURS } };
}

export interface CalendarIndex {
  holidayOn(date: IsoDate): Holiday | undefined;
  /** The special period covering the date; with overlaps, the one starting last (then the greatest id). */
  specialPeriodOn(date: IsoDate): SpecialPeriod | undefined;
}

const cache = new WeakMap<Calendar, CalendarIndex>();

/** Index a calendar for repeated look-ups (memoised per calendar object). */
export function indexCalendar(calendar: Calendar): CalendarIndex {
  const cached = cache.get(calendar);
  if (cached) return cached;
  const holidays = new Map<IsoDate, Holiday>();
  const rank: Record<HolidayKind, number> = { NationalHoliday: 3, CollectiveLeave: 2, RegionalHoliday: 1 };
  for (const h of calendar.holidays) {
    const prev = holidays.get(h.date);
    if (!prev || rank[h.kind] > rank[prev.kind] || (rank[h.kind] === rank[prev.kind] && h.name < prev.name)) {
      holidays.set(h.date, h);
    }
  }
  const periods = [...calendar.specialPeriods].sort((a, b) =>
    a.from === b.from ? (a.id < b.id ? 1 : -1) : a.from < b.from ? 1 : -1,
  );
  const index: CalendarIndex = {
    holidayOn: (date) => holidays.get(date),
    specialPeriodOn: (date) => periods.find((p) => p.from <= date && date <= p.to),
  };
  cache.set(calendar, index);
  return index;
}
