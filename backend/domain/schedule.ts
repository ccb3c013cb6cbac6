/**
 * Work schedules and the plan of one work date: when the shift starts and ends
 * as UTC instants, and which punches (the punch window) belong to it.
 */
import type { CalendarIndex, Holiday, HolidayKind } from './calendar.ts';
import { DomainError } from './domain-error.ts';
import { clockMinutes, dayNumber, type IsoDate, MINUTE_MS, weekdayOf } from './local-date.ts';
import { localToInstant, zoneOffsetMinutes } from './time-zone.ts';
import { DEFAULT_OFFICE_HOURS, type ShiftTime, shiftSpanMinutes, type WeeklyHours } from './working-hours.ts';

export type SchedulePattern =
  /** Same hours every week; weekdays not listed are off. */
  | { kind: 'Weekly'; hours: WeeklyHours }
  /** Rotation (e.g. fire brigade 24 h on / 48 h off): slot = days since anchor mod length; null = off. */
  | { kind: 'Cycle'; anchorDate: IsoDate; slots: readonly (ShiftTime | null)[] }
  /** Explicit roster (hospital wards): dates not listed are off. */
  | { kind: 'Dated'; days: Readonly<Record<IsoDate, ShiftTime | null>> };

export type PunchWindow =
  /** Local times on the work date; `to` at or before `from` is on the next day. */
  | { kind: 'Absolute'; from: string; to: string }
  /** Relative to the shift, for shifts (night shifts in particular). */
  | { kind: 'Relative'; beforeStartMinutes: number; afterEndMinutes: number };

export interface WorkSchedule {
  id: string;
  name: string;
  pattern: SchedulePattern;
  punchWindow: PunchWindow;
  /** Holidays and collective leave are days off (false for 24-hour services). */
  observesHolidays: boolean;
  /** Dated special periods (Ramadan) replace this schedule's hours on the weekdays they list. */
  followsSpecialPeriods: boolean;
}

export const DEFAULT_SCHEDULE_ID = 'office-default';

export const DEFAULT_OFFICE_SCHEDULE: WorkSchedule = Object.freeze<WorkSchedule>({
  id: DEFAULT_SCHEDULE_ID,
  name: 'Office hours (Mon–Thu 07:30–16:00, Fri 07:30–16:30)',
  pattern: { kind: 'Weekly', hours: DEFAULT_OFFICE_HOURS },
  punchWindow: { kind: 'Absolute', from: '06:00', to: '18:00' },
  observesHolidays: true,
  followsSpecialPeriods: true,
});

export type OffReason = 'WeeklyOff' | 'RosterOff' | HolidayKind;

export interface WorkDayPlan {
  kind: 'Work';
  date: IsoDate;
  scheduleId: string;
  offsetMinutes: number;
  shift: ShiftTime;
  specialPeriodId: string | null;
  /** UTC epoch ms. */
  start: number;
  end: number;
  /** Punches before it are arrivals when alone, at or after it departures. */
  midpoint: number;
  /** Inclusive punch window, widened to contain the shift. */
  windowStart: number;
  windowEnd: number;
}

export interface OffDayPlan {
  kind: 'Off';
  date: IsoDate;
  scheduleId: string;
  offsetMinutes: number;
  reason: OffReason;
  holiday: Holiday | null;
}

export type DayPlan = WorkDayPlan | OffDayPlan;

function patternShift(pattern: SchedulePattern, date: IsoDate): ShiftTime | null {
  switch (pattern.kind) {
    case 'Weekly':
      return pattern.hours[weekdayOf(date)] ?? null;
    case 'Cycle': {
      const n = pattern.slots.length;
      if (n === 0) return null;
      const i = (((dayNumber(date) - dayNumber(pattern.anchorDate)) % n) + n) % n;
      return pattern.slots[i] ?? null;
    }
    case 'Dated':
      return pattern.days[date] ?? null;
  }
}

/** The plan of one work date for a schedule in a site's zone. */
export function planDay(
  schedule: WorkSchedule,
  date: IsoDate,
  timeZone: string,
  calendar: CalendarIndex,
): DayPlan {
  const offsetMinutes = zoneOffsetMinutes(timeZone, localToInstant(date, 720, timeZone));
  const holiday = schedule.observesHolidays ? calendar.holidayOn(date) : undefined;
  const base = { date, scheduleId: schedule.id, offsetMinutes };
  if (holiday) return { ...base, kind: 'Off', reason: holiday.kind, holiday };
  let shift = patternShift(schedule.pattern, date);
  if (!shift) {
    return {
      ...base,
      kind: 'Off',
      reason: schedule.pattern.kind === 'Weekly' ? 'WeeklyOff' : 'RosterOff',
      holiday: null,
    };
  }
  let specialPeriodId: string | null = null;
  if (schedule.followsSpecialPeriods) {
    const period = calendar.specialPeriodOn(date);
    const special = period?.hours[weekdayOf(date)];
    if (period && special) {
      shift = special;
      specialPeriodId = period.id;
    }
  }
  const startMin = clockMinutes(shift.start);
  const start = localToInstant(date, startMin, timeZone);
  const end = localToInstant(date, startMin + shiftSpanMinutes(shift), timeZone);
  let windowStart: number;
  let windowEnd: number;
  const w = schedule.punchWindow;
  if (w.kind === 'Absolute') {
    const from = clockMinutes(w.from);
    const to = clockMinutes(w.to);
    windowStart = localToInstant(date, from, timeZone);
    windowEnd = localToInstant(date, to > from ? to : to + 1440, timeZone);
  } else {
    windowStart = start - w.beforeStartMinutes * MINUTE_MS;
    windowEnd = end + w.afterEndMinutes * MINUTE_MS;
  }
  return {
    ...base,
    kind: 'Work',
    shift,
    specialPeriodId,
    start,
    end,
    midpoint: start + Math.floor((end - start) / 2),
    windowStart: Math.min(windowStart, start),
    windowEnd: Math.max(windowEnd, end),
  };
}

/**
 * Punch windows of consecutive work dates may overlap (a night shift followed by
 * an early shift). A punch in the overlap goes to the nearer shift: the split is
 * halfway between the first shift's end and the next one's start.
 * Returns [windowStart, windowEnd] per plan; off days get [NaN, NaN].
 */
export function effectiveWindows(plans: readonly DayPlan[]): Array<[number, number]> {
  const out: Array<[number, number]> = plans.map((p) =>
    p.kind === 'Work' ? [p.windowStart, p.windowEnd] : [Number.NaN, Number.NaN],
  );
  for (let i = 0; i + 1 < plans.length; i++) {
    const a = plans[i];
    const b = plans[i + 1];
    const wa = out[i];
    const wb = out[i + 1];
    if (a?.kind !== 'Work' || b?.kind !== 'Work' || !wa || !wb || wa[1] < wb[0]) continue;
    const split = a.end + Math.floor((b.start - a.end) / 2);
    wa[1] = Math.min(wa[1], split - 1);
    wb[0] = Math.max(wb[0], split);
  }
  return out;
}

export interface ScheduleAssignment {
  scheduleId: string;
  target: { kind: 'Employee'; employeeId: string } | { kind: 'Unit'; unitId: string };
  /** Inclusive; `effectiveTo` null = open-ended. */
  effectiveFrom: IsoDate;
  effectiveTo: IsoDate | null;
}

export interface ScheduleSubject {
  employeeId: string;
  /** The employee's unit first, then its parents up to the root. */
  unitIds: readonly string[];
}

/**
 * The schedule in force on a date: an employee assignment beats a unit one, a
 * nearer unit beats a parent, and among equals the latest `effectiveFrom` wins
 * (then the greatest schedule id, for determinism). Falls back to `fallbackId`.
 */
export function resolveScheduleId(
  assignments: readonly ScheduleAssignment[],
  subject: ScheduleSubject,
  date: IsoDate,
  fallbackId: string = DEFAULT_SCHEDULE_ID,
): string {
  let best: { rank: number; a: ScheduleAssignment } | null = null;
  for (const a of assignments) {
    if (a.effectiveFrom > date || (a.effectiveTo !== null && a.effectiveTo < date)) continue;
    const rank =
      a.target.kind === 'Employee'
        ? a.target.employeeId === subject.employeeId
          ? 0
          : -1
        : subject.unitIds.indexOf(a.target.unitId) + 1 || -1;
    if (rank < 0) continue;
    if (
      !best ||
      rank < best.rank ||
      (rank === best.rank &&
        (a.effectiveFrom > best.a.effectiveFrom ||
          (a.effectiveFrom === best.a.effectiveFrom && a.scheduleId > best.a.scheduleId)))
    ) {
      best = { rank, a };
    }
  }
  return best ? best.a.scheduleId : fallbackId;
}

/** Look a schedule up by id, failing loudly on a dangling reference. */
export function scheduleById(schedules: readonly WorkSchedule[], id: string): WorkSchedule {
  const found = schedules.find((s) => s.id === id);
  if (!found) throw new DomainError('UNKNOWN_SCHEDULE', `no schedule with id ${JSON.stringify(id)}`);
  return found;
}
