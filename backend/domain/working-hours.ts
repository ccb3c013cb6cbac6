/**
 * Shift times and weekly hours (Perpres 21/2023, PermenPANRB 6/2018).
 * Times are local wall-clock 'HH:MM'. An `end` at or before `start` means the
 * shift ends on the next calendar day (22:00–06:00); `end === start` is a
 * 24-hour shift. The shift belongs to the work date on which it starts.
 */
import { clockMinutes, type Weekday } from './local-date.ts';

export interface ShiftTime {
  start: string;
  end: string;
  /** Unpaid break inside the shift; informational (weekly totals), not used for lateness. */
  breakMinutes?: number;
}

export type WeeklyHours = Partial<Record<Weekday, ShiftTime>>;

/** Minutes from start to end, crossing midnight when end <= start. */
export function shiftSpanMinutes(shift: ShiftTime): number {
  const start = clockMinutes(shift.start);
  const end = clockMinutes(shift.end);
  return end > start ? end - start : end + 1440 - start;
}

export function crossesMidnight(shift: ShiftTime): boolean {
  return clockMinutes(shift.end) <= clockMinutes(shift.start);
}

/** Working minutes in a week, breaks excluded (37.5 h = 2250 min for the default). */
export function weeklyNetMinutes(hours: WeeklyHours): number {
  let total = 0;
  for (const shift of Object.values(hours)) {
    if (shift) total += shiftSpanMinutes(shift) - (shift.breakMinutes ?? 0);
  }
  return total;
}

/** Monday–Thursday 07:30–16:00 (break 60), Friday 07:30–16:30 (break 90): 37.5 h. */
export const DEFAULT_OFFICE_HOURS: Readonly<WeeklyHours> = Object.freeze({
  Mon: { start: '07:30', end: '16:00', breakMinutes: 60 },
  Tue: { start: '07:30', end: '16:00', breakMinutes: 60 },
  Wed: { start: '07:30', end: '16:00', breakMinutes: 60 },
  Thu: { start: '07:30', end: '16:00', breakMinutes: 60 },
  Fri: { start: '07:30', end: '16:30', breakMinutes: 90 },
});

/**
 * Ramadan: Monday–Thursday 08:00–15:00, Friday 08:00–15:30: 32.5 h. RULES.md gives
 * no break lengths; 30 min Mon–Thu and 60 min Friday make the 32.5 h total.
 */
export const RAMADAN_HOURS: Readonly<WeeklyHours> = Object.freeze({
  Mon: { start: '08:00', end: '15:00', breakMinutes: 30 },
  Tue: { start: '08:00', end: '15:00', breakMinutes: 30 },
  Wed: { start: '08:00', end: '15:00', breakMinutes: 30 },
  Thu: { start: '08:00', end: '15:00', breakMinutes: 30 },
  Fri: { start: '08:00', end: '15:30', breakMinutes: 60 },
});
