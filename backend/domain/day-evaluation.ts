/**
 * The core of the daily rules, shared by `computeDailyStatus` (one day) and
 * `closeMonth` (the fast path), so both give identical records.
 */
import type { DailyRecord, DayDeduction, DeductionKind } from './daily-record.ts';
import type { AppliedLeave, LeaveForDay } from './leave.ts';
import { MINUTE_MS } from './local-date.ts';
import { bracketFor, type PolicyProfile, profileRef } from './policy-profile.ts';
import type { Reason } from './reason.ts';
import type { DayPlan, WorkDayPlan } from './schedule.ts';

export interface DayContext {
  plan: DayPlan;
  /** Instants inside the day's effective window, ascending, without duplicates. */
  punches: readonly number[];
  windowEnd: number;
  leave: LeaveForDay;
  profile: PolicyProfile;
  pendingPunches: boolean;
  /** Evaluation instant; before `windowEnd` the day is 'Open'. null = the day is over. */
  asOf: number | null;
}

const NONE: readonly never[] = Object.freeze([]);
// Parameterless reasons are shared, frozen objects: fewer allocations on the month-close path.
const R = Object.freeze({
  NoPunches: Object.freeze<Reason>({ code: 'NoPunches' }),
  PendingPunches: Object.freeze<Reason>({ code: 'PendingPunches' }),
  DayNotOver: Object.freeze<Reason>({ code: 'DayNotOver' }),
  OnTime: Object.freeze<Reason>({ code: 'OnTime' }),
  MissingClockIn: Object.freeze<Reason>({ code: 'MissingClockIn' }),
  MissingClockOut: Object.freeze<Reason>({ code: 'MissingClockOut' }),
  SinglePunchAsArrival: Object.freeze<Reason>({ code: 'SinglePunchAsArrival' }),
  SinglePunchAsDeparture: Object.freeze<Reason>({ code: 'SinglePunchAsDeparture' }),
});

/** Append by copying: exact-size arrays (0–3 items) keep 230 000 records per month light on the GC. */
function append<T>(list: readonly T[], item: T): T[] {
  const n = list.length;
  if (n === 0) return [item];
  if (n === 1) return [list[0] as T, item];
  return [...list, item];
}

const ALONE = new Map<Reason, readonly Reason[]>(Object.values(R).map((r) => [r, Object.freeze([r])]));

function addReason(rec: DailyRecord, reason: Reason): void {
  rec.reasons = (rec.reasons.length === 0 && ALONE.get(reason)) || append(rec.reasons, reason);
}

const WEEKLY_OFF: readonly Reason[] = Object.freeze([Object.freeze<Reason>({ code: 'WeeklyOff' })]);
const ROSTER_OFF: readonly Reason[] = Object.freeze([Object.freeze<Reason>({ code: 'RosterOff' })]);

function addDeduction(rec: DailyRecord, kind: DeductionKind, code: string, bp: number): void {
  rec.deductions = append(rec.deductions, { kind, code, bp });
  rec.codes = append(rec.codes, code);
}

function finish(rec: DailyRecord, dailyCapBp: number | null): DailyRecord {
  let total = 0;
  for (const d of rec.deductions) total += d.bp;
  if (dailyCapBp !== null && total > dailyCapBp) {
    let excess = total - dailyCapBp;
    for (let i = rec.deductions.length - 1; i >= 0 && excess > 0; i--) {
      const d = rec.deductions[i] as DayDeduction;
      const cut = Math.min(d.bp, excess);
      d.bp -= cut;
      excess -= cut;
    }
    total = dailyCapBp;
    addReason(rec, { code: 'DailyCapApplied', ref: `${dailyCapBp} bp` });
  }
  rec.deductionBp = total;
  return rec;
}

function applyPermit(
  rec: DailyRecord,
  permit: AppliedLeave,
  code: 'PermitLateArrival' | 'PermitEarlyDeparture',
) {
  rec.excused = true;
  rec.leave ??= permit;
  addReason(rec, { code, ref: permit.id });
}

/** Arrival side of a worked day: missing clock-in, on time, or late (grace, make-up, permit, bracket). */
function evaluateArrival(
  rec: DailyRecord,
  plan: WorkDayPlan,
  profile: PolicyProfile,
  leave: LeaveForDay,
): void {
  const { arrival, departure } = rec;
  if (arrival === null || rec.lateMinutes === null) {
    if (leave.lateArrival) applyPermit(rec, leave.lateArrival, 'PermitLateArrival');
    else {
      addDeduction(rec, 'MissingClockIn', profile.missingClockIn.code, profile.missingClockIn.deductionBp);
      addReason(rec, R.MissingClockIn);
    }
  } else if (rec.lateMinutes === 0) {
    addReason(rec, R.OnTime);
  } else {
    const late = rec.lateMinutes;
    const { graceMinutes, graceCountsFrom, makeUp } = profile.late;
    let counted = late;
    if (late <= graceMinutes) {
      counted = 0;
      addReason(rec, { code: 'WithinGracePeriod', minutes: late });
    } else if (graceCountsFrom === 'GraceEnd') {
      counted = late - graceMinutes;
    }
    const madeUp =
      makeUp.enabled &&
      late <= makeUp.maxLateMinutes &&
      departure !== null &&
      departure - arrival >= plan.end - plan.start;
    if (counted > 0 && madeUp) {
      counted = 0;
      addReason(rec, { code: 'LatenessMadeUp', minutes: late });
    }
    if (counted > 0 && leave.lateArrival) {
      counted = 0;
      applyPermit(rec, leave.lateArrival, 'PermitLateArrival');
    }
    const bracket = bracketFor(profile.late.brackets, counted);
    if (bracket) {
      addDeduction(rec, 'Late', bracket.code, bracket.deductionBp);
      addReason(rec, { code: 'Late', minutes: counted });
    }
    rec.countedLateMinutes = counted;
  }
}

/** Departure side of a worked day that is over: missing clock-out, or leaving early (permit, bracket). */
function evaluateDeparture(rec: DailyRecord, profile: PolicyProfile, leave: LeaveForDay): void {
  const { departure } = rec;
  if (departure === null || rec.earlyMinutes === null) {
    if (leave.earlyDeparture) applyPermit(rec, leave.earlyDeparture, 'PermitEarlyDeparture');
    else {
      addDeduction(rec, 'MissingClockOut', profile.missingClockOut.code, profile.missingClockOut.deductionBp);
      addReason(rec, R.MissingClockOut);
    }
  } else if (rec.earlyMinutes > 0) {
    if (leave.earlyDeparture) applyPermit(rec, leave.earlyDeparture, 'PermitEarlyDeparture');
    else {
      const bracket = bracketFor(profile.early.brackets, rec.earlyMinutes);
      if (bracket) addDeduction(rec, 'EarlyDeparture', bracket.code, bracket.deductionBp);
      addReason(rec, { code: 'EarlyDeparture', minutes: rec.earlyMinutes });
    }
  }
}

/** Evaluate one planned day. The core shared by `computeDailyStatus` and `closeMonth`. */
export function evaluateDay(ctx: DayContext): DailyRecord {
  const { plan, punches, profile, leave } = ctx;
  const rec: DailyRecord = {
    workDate: plan.date,
    status: 'Present',
    scheduleId: plan.scheduleId,
    offsetMinutes: plan.offsetMinutes,
    scheduledStart: null,
    scheduledEnd: null,
    arrival: null,
    departure: null,
    lateMinutes: null,
    countedLateMinutes: 0,
    earlyMinutes: null,
    codes: NONE,
    deductions: NONE,
    deductionBp: 0,
    excused: false,
    leave: null,
    provisional: false,
    reasons: NONE,
    ignoredPunches: NONE,
    profile: profileRef(profile),
  };
  if (plan.kind === 'Off') {
    rec.status = plan.holiday ? 'Holiday' : 'OffDay';
    rec.reasons = plan.holiday
      ? [{ code: plan.reason, ref: plan.holiday.name }]
      : plan.reason === 'RosterOff'
        ? ROSTER_OFF
        : WEEKLY_OFF;
    return rec;
  }
  rec.scheduledStart = plan.start;
  rec.scheduledEnd = plan.end;
  if (plan.specialPeriodId !== null) {
    addReason(rec, { code: 'SpecialPeriodHours', ref: plan.specialPeriodId });
  }
  if (leave.reasons.length > 0) rec.reasons = [...rec.reasons, ...leave.reasons];

  const n = punches.length;
  const first = punches[0];
  const last = punches[n - 1];
  if (first !== undefined && last !== undefined) {
    if (n >= 2) {
      rec.arrival = first;
      rec.departure = last;
    } else if (first < plan.midpoint) {
      rec.arrival = first;
      addReason(rec, R.SinglePunchAsArrival);
    } else {
      rec.departure = first;
      addReason(rec, R.SinglePunchAsDeparture);
    }
  }
  const { arrival, departure } = rec;
  if (arrival !== null) rec.lateMinutes = Math.max(0, Math.floor((arrival - plan.start) / MINUTE_MS));
  if (departure !== null) rec.earlyMinutes = Math.max(0, Math.ceil((plan.end - departure) / MINUTE_MS));

  if (leave.fullDay) {
    rec.status = 'Excused';
    rec.excused = true;
    rec.leave = leave.fullDay;
    const { code, deductionBp } = leave.fullDay;
    rec.codes = [code];
    if (deductionBp > 0) rec.deductions = [{ kind: 'Leave', code, bp: deductionBp }];
    addReason(rec, { code: 'LeaveApproved', ref: leave.fullDay.id });
    return finish(rec, profile.dailyCapBp);
  }
  const open = ctx.asOf !== null && ctx.asOf < ctx.windowEnd;
  if (open) {
    rec.status = 'Open';
    rec.provisional = true;
    addReason(rec, R.DayNotOver);
  }
  if (n === 0) {
    if (open) return rec;
    if (ctx.pendingPunches) {
      rec.status = 'Pending';
      rec.provisional = true;
      addReason(rec, R.PendingPunches);
      return rec;
    }
    rec.status = 'Absent';
    addDeduction(rec, 'Absent', profile.absent.code, profile.absent.deductionBp);
    addReason(rec, R.NoPunches);
    return finish(rec, profile.dailyCapBp);
  }

  evaluateArrival(rec, plan, profile, leave);
  // Departure side: unknown while the window is open.
  if (!open) evaluateDeparture(rec, profile, leave);
  if (ctx.pendingPunches && (arrival === null || departure === null)) {
    rec.provisional = true;
    addReason(rec, R.PendingPunches);
  }
  return finish(rec, profile.dailyCapBp);
}
