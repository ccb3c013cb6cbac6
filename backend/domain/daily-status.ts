/**
 * The day's record: a pure, deterministic function of (schedule plan, punches,
 * leave, calendar, profile). Punch order does not matter: punches are sorted
 * and de-duplicated first.
 *
 * - Arrival = first punch in the window, departure = last. A single punch is the
 *   arrival when before the shift midpoint, else the departure.
 * - Lateness = whole minutes after the start, floored: 07:30:59 → 0, 07:31:00 → 1.
 * - Early departure = minutes before the end, rounded up: 15:59:59 → 1, 16:00:00 → 0.
 * - No punch on a work day without valid leave is TK, unless a kiosk of the site
 *   still has unsent punches (`pendingPunches`): then the day is 'Pending'.
 */
import { type Calendar, indexCalendar } from './calendar.ts';
import type { DailyRecord, IgnoredPunch, IgnoredPunchReason } from './daily-record.ts';
import { evaluateDay } from './day-evaluation.ts';
import { outsideEmploymentDay } from './employment.ts';
import { type Leave, leaveForDay } from './leave.ts';
import { addDays, type IsoDate } from './local-date.ts';
import { type PolicyProfile, selectProfile } from './policy-profile.ts';
import { type DayPlan, effectiveWindows, planDay, type WorkSchedule } from './schedule.ts';
import { type Instant, toEpochMs } from './time-zone.ts';

export interface Punch {
  at: Instant;
  id?: string;
}

export interface DailyStatusInput {
  workDate: IsoDate;
  /** IANA zone of the employee's site. */
  timeZone: string;
  schedule: WorkSchedule;
  calendar: Calendar;
  /** Any order; punches outside the day's window are ignored with a reason. */
  punches: readonly (Instant | Punch)[];
  leaves?: readonly Leave[];
  /** One profile, or a profile history from which the one in force on `workDate` is taken. */
  profile: PolicyProfile | readonly PolicyProfile[];
  /** A kiosk of the site still holds unsent punches for this day. */
  pendingPunches?: boolean;
  /** Evaluate as of this instant (live views); omit once the day is over. */
  asOf?: Instant;
  /**
   * `planDay` of this schedule, zone and calendar for the day before, the day and the day after,
   * when the caller has them already (a recompute plans each schedule's dates once for everybody).
   */
  plans?: readonly DayPlan[];
  /** Inside the employee's employment period (default true); outside: see `outsideEmploymentDay`. */
  employed?: boolean;
}

/**
 * The record of one work date. Neighbouring dates are planned too, so a punch in
 * an overlap of two windows goes to the nearer shift exactly as in `closeMonth`.
 */
export function computeDailyStatus(input: DailyStatusInput): DailyRecord {
  const { workDate, timeZone, schedule } = input;
  const calendar = indexCalendar(input.calendar);
  const plans =
    input.plans ?? [-1, 0, 1].map((d) => planDay(schedule, addDays(workDate, d), timeZone, calendar));
  const plan = plans[1] as DayPlan;
  const [windowStart, windowEnd] = effectiveWindows(plans)[1] as [number, number];
  const profile = selectProfile(input.profile, workDate);
  if (input.employed === false) return outsideDay(plan, profile, input.punches, windowStart, windowEnd);

  const normalized = input.punches
    .map((p) =>
      typeof p === 'number' || p instanceof Date ? { at: toEpochMs(p) } : { at: toEpochMs(p.at), id: p.id },
    )
    .sort((a, b) => a.at - b.at || ((a.id ?? '') < (b.id ?? '') ? -1 : (a.id ?? '') > (b.id ?? '') ? 1 : 0));
  const inWindow: number[] = [];
  const ignored: IgnoredPunch[] = [];
  for (const p of normalized) {
    const reason: IgnoredPunchReason | null =
      plan.kind === 'Off'
        ? 'NotAWorkDay'
        : p.at < windowStart || p.at > windowEnd
          ? 'OutsideWindow'
          : inWindow.at(-1) === p.at
            ? 'Duplicate'
            : null;
    if (reason === null) inWindow.push(p.at);
    else ignored.push(p.id === undefined ? { at: p.at, reason } : { at: p.at, id: p.id, reason });
  }
  const rec = evaluateDay({
    plan,
    punches: inWindow,
    windowEnd,
    leave: leaveForDay(input.leaves ?? [], workDate, profile),
    profile,
    pendingPunches: input.pendingPunches ?? false,
    asOf: input.asOf === undefined ? null : toEpochMs(input.asOf),
  });
  rec.ignoredPunches = ignored;
  return rec;
}

/** A day outside the employment period; the punches of its window (a work day's) are listed. */
function outsideDay(
  plan: DayPlan,
  profile: PolicyProfile,
  punches: readonly (Instant | Punch)[],
  windowStart: number,
  windowEnd: number,
): DailyRecord {
  const listed =
    plan.kind === 'Off'
      ? []
      : punches
          .map((p) =>
            typeof p === 'number' || p instanceof Date
              ? { at: toEpochMs(p) }
              : { at: toEpochMs(p.at), ...(p.id === undefined ? {} : { id: p.id }) },
          )
          .filter((p) => p.at >= windowStart && p.at <= windowEnd)
          .sort((a, b) => a.at - b.at);
  return outsideEmploymentDay(plan, profile, listed);
}
