/** The day record produced by the rules engine, and its parts. */
import type { AppliedLeave } from './leave.ts';
import type { IsoDate } from './local-date.ts';
import type { ProfileRef } from './policy-profile.ts';
import type { Reason } from './reason.ts';

export type DayStatus = 'Present' | 'Absent' | 'Excused' | 'Pending' | 'Open' | 'OffDay' | 'Holiday';
export type DeductionKind =
  | 'Late'
  | 'MissingClockIn'
  | 'EarlyDeparture'
  | 'MissingClockOut'
  | 'Absent'
  | 'Leave';
/** Why a punch of the day is neither its arrival nor its departure (see day-punches.ts). */
export type IgnoredPunchReason =
  | 'OutsideWindow'
  | 'Duplicate'
  | 'NotAWorkDay'
  | 'Intermediate'
  | 'OutsideEmployment';

export interface DayDeduction {
  kind: DeductionKind;
  code: string;
  bp: number;
}

export interface IgnoredPunch {
  at: number;
  id?: string;
  reason: IgnoredPunchReason;
}

export interface DailyRecord {
  workDate: IsoDate;
  status: DayStatus;
  scheduleId: string;
  offsetMinutes: number;
  /** UTC epoch ms; null on days off. */
  scheduledStart: number | null;
  scheduledEnd: number | null;
  arrival: number | null;
  departure: number | null;
  /** Measured minutes late (null without an arrival). */
  lateMinutes: number | null;
  /** Lateness left after grace, make-up and permits; what the TL bracket used. */
  countedLateMinutes: number;
  /** Measured minutes of early departure (null without a departure). */
  earlyMinutes: number | null;
  /** Day codes: TL1..TL4, PSW1..PSW4, TK, or the leave code (CT, CS, DL...). */
  codes: readonly string[];
  deductions: readonly DayDeduction[];
  /** Sum of `deductions`, in basis points of the monthly allowance. */
  deductionBp: number;
  /** A valid leave or permit justified the day or part of it. */
  excused: boolean;
  leave: AppliedLeave | null;
  /** The record may still change (open day or unsent kiosk punches). */
  provisional: boolean;
  reasons: readonly Reason[];
  ignoredPunches: readonly IgnoredPunch[];
  profile: ProfileRef;
}
