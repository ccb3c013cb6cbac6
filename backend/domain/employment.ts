/**
 * People over time (RULES.md "People over time"): the employment period and the effective-dated
 * facts of an employee. A day outside the period is not a working day: no code, no deduction, no
 * discipline count; a punch on it is kept and listed with the reason 'OutsideEmployment'.
 */
import type { DailyRecord, IgnoredPunch } from './daily-record.ts';
import type { IsoDate } from './local-date.ts';
import { type PolicyProfile, profileRef } from './policy-profile.ts';
import type { Reason } from './reason.ts';
import type { DayPlan } from './schedule.ts';

export const END_REASONS = ['Retirement', 'TransferOut', 'Death', 'Dismissal', 'Other'] as const;
export type EndReason = (typeof END_REASONS)[number];

/**
 * Inclusive local dates. A null start is no lower bound (employees recorded before the period
 * existed); a null end: still in service.
 */
export interface EmploymentPeriod {
  startDate: IsoDate | null;
  endDate: IsoDate | null;
}

export function inEmployment(p: EmploymentPeriod, date: IsoDate): boolean {
  return (p.startDate === null || date >= p.startDate) && (p.endDate === null || date <= p.endDate);
}

/** The field at fault when the period is not a period (an end before the start), else null. */
export function periodProblem(p: EmploymentPeriod): 'endDate' | null {
  return p.startDate !== null && p.endDate !== null && p.endDate < p.startDate ? 'endDate' : null;
}

/** One version of some dated facts: holds from `effectiveFrom` until the next version. */
export type Dated<T> = T & { effectiveFrom: IsoDate };

/**
 * The version in force on `date`: the last one starting on or before it. Before the first
 * version, the first one (what was recorded first is the best knowledge of earlier days); with
 * no versions, `fallback`. `history` must be sorted by `effectiveFrom` ascending.
 */
export function versionOn<T>(history: readonly Dated<T>[], date: IsoDate, fallback: T): T {
  if (history.length === 0) return fallback;
  let lo = 0;
  let hi = history.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((history[mid] as Dated<T>).effectiveFrom <= date) lo = mid + 1;
    else hi = mid;
  }
  return history[Math.max(lo - 1, 0)] as Dated<T>;
}

/**
 * The history after setting some fields from a date on. The version in force on that date, with
 * the change, holds from that date (replacing a version of the same date). Later versions that
 * merely carried the replaced value take the new one too; from the first later version that set
 * a field to a value of its own, that field is left alone.
 */
export function withChange<T extends object>(
  history: readonly Dated<T>[],
  fallback: T,
  from: IsoDate,
  change: Partial<T>,
): Dated<T>[] {
  const old = versionOn(history, from, fallback);
  const out: Dated<T>[] = history.filter((v) => v.effectiveFrom < from);
  out.push({ ...old, ...change, effectiveFrom: from });
  const carried = new Set(Object.keys(change) as (keyof T)[]);
  for (const v of history) {
    if (v.effectiveFrom <= from) continue;
    const next = { ...v };
    for (const k of [...carried]) {
      if (v[k] === old[k]) next[k] = change[k] as Dated<T>[keyof T];
      else carried.delete(k);
    }
    out.push(next);
  }
  return out;
}

/**
 * RULES.md "Partial months": the month's base prorated by working days in service, base ×
 * (working days inside the period ÷ working days of the month), rounded down; with a base that
 * changes within the month (another position class), each part by its own working days. A month
 * without working days keeps `fallback`.
 */
export function proratedBase(
  workDates: readonly IsoDate[],
  period: EmploymentPeriod | undefined,
  baseOn: (date: IsoDate) => number,
  fallback: number,
): number {
  if (workDates.length === 0) return fallback;
  let sum = 0;
  for (const d of workDates) if (period === undefined || inEmployment(period, d)) sum += baseOn(d);
  return Math.floor(sum / workDates.length);
}

const OUTSIDE: readonly Reason[] = Object.freeze([Object.freeze<Reason>({ code: 'OutsideEmployment' })]);

/**
 * The record of a day outside the employment period: nothing owed, nothing counted ('OffDay',
 * no codes); the punches of its window are listed as ignored. Stored only when it lists some
 * (daily-record.mapper.ts `isStored`).
 */
export function outsideEmploymentDay(
  plan: DayPlan,
  profile: PolicyProfile,
  punches: readonly { at: number; id?: string }[],
): DailyRecord {
  const ignored: IgnoredPunch[] = punches.map((p) =>
    p.id === undefined
      ? { at: p.at, reason: 'OutsideEmployment' }
      : { at: p.at, id: p.id, reason: 'OutsideEmployment' },
  );
  return {
    workDate: plan.date,
    status: 'OffDay',
    scheduleId: plan.scheduleId,
    offsetMinutes: plan.offsetMinutes,
    scheduledStart: null,
    scheduledEnd: null,
    arrival: null,
    departure: null,
    lateMinutes: null,
    countedLateMinutes: 0,
    earlyMinutes: null,
    codes: [],
    deductions: [],
    deductionBp: 0,
    excused: false,
    leave: null,
    provisional: false,
    reasons: OUTSIDE,
    ignoredPunches: ignored,
    profile: profileRef(profile),
  };
}

/** Whether a record is that of a day outside the employment period. */
export function isOutsideEmployment(r: Pick<DailyRecord, 'reasons'>): boolean {
  return r.reasons.length === 1 && r.reasons[0]?.code === 'OutsideEmployment';
}
