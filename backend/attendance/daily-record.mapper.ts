/**
 * A day record of the rules engine as a `daily_record` row and back. The columns carry what
 * lists and filters need; `detail` (JSON) carries the rest of the breakdown (deductions,
 * reasons, leave, schedule, ignored punches), so the row rebuilds the engine's record exactly.
 */
import type { DailyRecord, DayStatus, IsoDate } from '../domain/index.ts';

/** The stored form of one employee's work date (times in epoch ms). */
export type StoredDay = {
  employeeId: string;
  workDate: IsoDate;
  unitId: string;
  status: DayStatus;
  /** Space-separated day codes. */
  codes: string;
  lateMinutes: number | null;
  earlyMinutes: number | null;
  deductionBp: number;
  arrival: number | null;
  departure: number | null;
  provisional: boolean;
  detail: DayDetail;
  profileId: string;
  profileVersion: number;
};

/**
 * The breakdown beside the columns. Empty lists, nulls and zeros are left out: 310 000 days a
 * month are written at once, and most days are plain (see bench/rules.bench.ts).
 */
export type DayDetail = {
  scheduleId: string;
  offsetMinutes: number;
  scheduledStart?: number;
  scheduledEnd?: number;
  countedLateMinutes?: number;
  excused?: true;
  deductions?: DailyRecord['deductions'];
  leave?: NonNullable<DailyRecord['leave']>;
  reasons?: DailyRecord['reasons'];
  ignoredPunches?: DailyRecord['ignoredPunches'];
};

export function toStoredDay(employeeId: string, unitId: string, r: DailyRecord): StoredDay {
  const detail: DayDetail = { scheduleId: r.scheduleId, offsetMinutes: r.offsetMinutes };
  if (r.scheduledStart !== null) detail.scheduledStart = r.scheduledStart;
  if (r.scheduledEnd !== null) detail.scheduledEnd = r.scheduledEnd;
  if (r.countedLateMinutes !== 0) detail.countedLateMinutes = r.countedLateMinutes;
  if (r.excused) detail.excused = true;
  if (r.deductions.length > 0) detail.deductions = r.deductions;
  if (r.leave) detail.leave = r.leave;
  if (r.reasons.length > 0) detail.reasons = r.reasons;
  if (r.ignoredPunches.length > 0) detail.ignoredPunches = r.ignoredPunches;
  return {
    employeeId,
    workDate: r.workDate,
    unitId,
    status: r.status,
    codes: r.codes.length === 0 ? '' : r.codes.length === 1 ? (r.codes[0] as string) : r.codes.join(' '),
    lateMinutes: r.lateMinutes,
    earlyMinutes: r.earlyMinutes,
    deductionBp: r.deductionBp,
    arrival: r.arrival,
    departure: r.departure,
    provisional: r.provisional,
    detail,
    profileId: r.profile.id,
    profileVersion: r.profile.version,
  };
}

export function fromStoredDay(s: StoredDay): DailyRecord {
  const d = s.detail;
  return {
    workDate: s.workDate,
    status: s.status,
    scheduleId: d.scheduleId,
    offsetMinutes: d.offsetMinutes,
    scheduledStart: d.scheduledStart ?? null,
    scheduledEnd: d.scheduledEnd ?? null,
    arrival: s.arrival,
    departure: s.departure,
    lateMinutes: s.lateMinutes,
    countedLateMinutes: d.countedLateMinutes ?? 0,
    earlyMinutes: s.earlyMinutes,
    codes: s.codes === '' ? [] : s.codes.split(' '),
    deductions: d.deductions ?? [],
    deductionBp: s.deductionBp,
    excused: d.excused ?? false,
    leave: d.leave ?? null,
    provisional: s.provisional,
    reasons: d.reasons ?? [],
    ignoredPunches: d.ignoredPunches ?? [],
    profile: { id: s.profileId, version: s.profileVersion },
  };
}

/**
 * Days off (weekly or roster) are not stored: nothing to say, and a quarter of a month's rows.
 * Holidays are, and so is a day off with punches, or a day outside the employment period with punches:
 * they are listed on it ('NotAWorkDay', 'OutsideEmployment'): no punch vanishes (closeMonth builds
 * those records too).
 */
export function isStored(d: StoredDay): boolean {
  return d.status !== 'OffDay' || (d.detail.ignoredPunches?.length ?? 0) > 0;
}

/** Equal when every stored field but the computation time is equal. */
export function sameStoredDay(a: StoredDay, b: StoredDay): boolean {
  return (
    a.status === b.status &&
    a.unitId === b.unitId &&
    a.codes === b.codes &&
    a.lateMinutes === b.lateMinutes &&
    a.earlyMinutes === b.earlyMinutes &&
    a.deductionBp === b.deductionBp &&
    a.arrival === b.arrival &&
    a.departure === b.departure &&
    a.provisional === b.provisional &&
    a.profileId === b.profileId &&
    a.profileVersion === b.profileVersion &&
    JSON.stringify(a.detail) === JSON.stringify(b.detail)
  );
}
