/**
 * Why a day came out as it did. Structured (code + numbers/ids) rather than
 * prose so the UI can word it in Indonesian or English; `describeReason` gives
 * a plain English line for logs and tests.
 */
export type ReasonCode =
  | 'WeeklyOff'
  | 'RosterOff'
  | 'NationalHoliday'
  | 'CollectiveLeave'
  | 'RegionalHoliday'
  | 'SpecialPeriodHours'
  | 'LeaveApproved'
  | 'LeaveNotApproved'
  | 'LeaveNeedsDocument'
  | 'UnknownLeaveKind'
  | 'PermitLateArrival'
  | 'PermitEarlyDeparture'
  | 'NoPunches'
  | 'PendingPunches'
  | 'DayNotOver'
  | 'OnTime'
  | 'Late'
  | 'WithinGracePeriod'
  | 'LatenessMadeUp'
  | 'EarlyDeparture'
  | 'MissingClockIn'
  | 'MissingClockOut'
  | 'SinglePunchAsArrival'
  | 'SinglePunchAsDeparture'
  | 'DailyCapApplied'
  | 'OutsideEmployment';

export interface Reason {
  code: ReasonCode;
  /** Minutes involved (lateness, early departure, grace...), when relevant. */
  minutes?: number;
  /** A referenced id or name: leave id, holiday name, special period id, approval state. */
  ref?: string;
}

const TEXT: Record<ReasonCode, string> = {
  WeeklyOff: 'not a work day in the schedule',
  RosterOff: 'off in the roster',
  NationalHoliday: 'national holiday',
  CollectiveLeave: 'collective leave (cuti bersama)',
  RegionalHoliday: 'regional holiday',
  SpecialPeriodHours: 'special period hours apply',
  LeaveApproved: 'approved leave',
  LeaveNotApproved: 'leave not approved, so not excused',
  LeaveNeedsDocument: 'leave day requires a supporting letter, none recorded',
  UnknownLeaveKind: 'leave kind not in the policy profile',
  PermitLateArrival: 'permitted late arrival',
  PermitEarlyDeparture: 'permitted early departure',
  NoPunches: 'no punch on a work day and no valid leave',
  PendingPunches: 'a kiosk of the site still has unsent punches for this day',
  DayNotOver: 'punch window still open',
  OnTime: 'arrived on time',
  Late: 'late arrival',
  WithinGracePeriod: 'lateness within the grace period',
  LatenessMadeUp: "lateness made up: the day's hours were worked",
  EarlyDeparture: 'early departure',
  MissingClockIn: 'no clock-in',
  MissingClockOut: 'no clock-out',
  SinglePunchAsArrival: 'single punch before the shift midpoint, taken as arrival',
  SinglePunchAsDeparture: 'single punch at or after the shift midpoint, taken as departure',
  DailyCapApplied: "day's deductions capped by the profile",
  OutsideEmployment: 'outside the employment period (before the start date or after the end date)',
};

export function describeReason(reason: Reason): string {
  const parts = [TEXT[reason.code]];
  if (reason.minutes !== undefined) parts.push(`${reason.minutes} min`);
  if (reason.ref !== undefined) parts.push(`(${reason.ref})`);
  return parts.join(' ');
}
