/**
 * Leave and permits with their approval state. Only approved leave whose kind
 * the profile knows (and which has its letter when the profile asks for one)
 * excuses a day; anything else is reported as a reason and ignored.
 */
import { dayNumber, type IsoDate } from './local-date.ts';
import type { PolicyProfile } from './policy-profile.ts';
import type { Reason } from './reason.ts';

export type ApprovalState = 'Pending' | 'Approved' | 'Rejected' | 'Cancelled';
/** 'LateArrival' / 'EarlyDeparture': a permit covering only the start or the end of the day. */
export type LeavePart = 'FullDay' | 'LateArrival' | 'EarlyDeparture';
/** Well-known kinds; a profile may define more. */
export type LeaveKind =
  | 'AnnualLeave'
  | 'SickLeave'
  | 'MaternityLeave'
  | 'ImportantReasonsLeave'
  | 'LongLeave'
  | 'OfficialTravel'
  | 'DutyOutside'
  | (string & {});

export interface Leave {
  id: string;
  kind: LeaveKind;
  /** Inclusive local dates. */
  from: IsoDate;
  to: IsoDate;
  part?: LeavePart;
  approval: ApprovalState;
  /** A supporting letter (e.g. a doctor's letter) is on file. */
  documented?: boolean;
}

export interface AppliedLeave {
  id: string;
  kind: string;
  code: string;
  deductionBp: number;
}

export interface LeaveForDay {
  fullDay: AppliedLeave | null;
  lateArrival: AppliedLeave | null;
  earlyDeparture: AppliedLeave | null;
  reasons: readonly Reason[];
}

const NONE: LeaveForDay = Object.freeze({
  fullDay: null,
  lateArrival: null,
  earlyDeparture: null,
  reasons: Object.freeze([]),
});

function better(a: AppliedLeave, b: AppliedLeave | null): boolean {
  return !b || a.deductionBp < b.deductionBp || (a.deductionBp === b.deductionBp && a.id < b.id);
}

/**
 * The leave that applies on a date. Deterministic whatever the input order: among
 * several valid leaves the lowest deduction wins, then the smallest id.
 * "Document required after N days" counts calendar days from the leave's start.
 */
export function leaveForDay(leaves: readonly Leave[], date: IsoDate, profile: PolicyProfile): LeaveForDay {
  let result: (LeaveForDay & { reasons: Reason[] }) | null = null;
  const sorted =
    leaves.length > 1 ? [...leaves].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) : leaves;
  for (const leave of sorted) {
    if (leave.from > date || leave.to < date) continue;
    result ??= { fullDay: null, lateArrival: null, earlyDeparture: null, reasons: [] };
    if (leave.approval !== 'Approved') {
      result.reasons.push({ code: 'LeaveNotApproved', ref: `${leave.id}:${leave.approval}` });
      continue;
    }
    const rule = profile.leaveRules.find((r) => r.kind === leave.kind);
    if (!rule) {
      result.reasons.push({ code: 'UnknownLeaveKind', ref: `${leave.id}:${leave.kind}` });
      continue;
    }
    const after = rule.documentRequiredAfterDays;
    if (after !== null && !leave.documented && dayNumber(date) - dayNumber(leave.from) >= after) {
      result.reasons.push({ code: 'LeaveNeedsDocument', ref: leave.id });
      continue;
    }
    const applied: AppliedLeave = {
      id: leave.id,
      kind: leave.kind,
      code: rule.code,
      deductionBp: rule.deductionBp,
    };
    const part = leave.part ?? 'FullDay';
    if (part === 'FullDay' && better(applied, result.fullDay)) result.fullDay = applied;
    if (part === 'LateArrival' && better(applied, result.lateArrival)) result.lateArrival = applied;
    if (part === 'EarlyDeparture' && better(applied, result.earlyDeparture)) result.earlyDeparture = applied;
  }
  return result ?? NONE;
}
