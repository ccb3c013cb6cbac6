/**
 * The day's record: a pure, deterministic function of (schedule plan, punches,
 * leave, calendar, profile). Punch order does not matter: punches are sorted
 * and de-duplicated first.
 *
 * - Arrival = first punch in the window, departure = last (repeats aside). A single punch is
 *   the arrival when before the shift midpoint, else the departure. The day's other punches
 *   (outside the window on its date, repeats, between arrival and departure) are listed in
 *   `ignoredPunches` with their reason (day-punches.ts); punches of the neighbouring days'
 *   windows are theirs.
 * - Lateness = whole minutes after the start, floored: 07:30:59 → 0, 07:31:00 → 1.
 * - Early departure = minutes before the end, rounded up: 15:59:59 → 1, 16:00:00 → 0.
 * - No punch on a work day without valid leave is TK, unless a kiosk of the site
 *   still has unsent punches (`pendingPunches`): then the day is 'Pending'.
 */
import { type Calendar, indexCalendar } from './calendar.ts';
import type { DailyRecord, IgnoredPunch, IgnoredPunchReason } from './daily-record.ts';
import { evaluateDay } from './day-evaluation.ts';
import { splitWindowPunches } from './day-punches.ts';
import { outsideEmploymentDay } from './employment.ts';
import { type Leave, leaveForDay } from './leave.ts';
import { addDays, type IsoDate } from './local-date.ts';
import { type ProfileSource, selectProfile } from './policy-profile.ts';
import { type DayPlan, effectiveWindows, planDay, type WorkSchedule } from './schedule.ts';
import { type Instant, localDateOf, toEpochMs } from './time-zone.ts';

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
  /**
   * Any order. Those of the day's window count; those in no window on the day's local date are
   * ignored with a reason; those of other days are left out.
   */
  punches: readonly (Instant | Punch)[];
  leaves?: readonly Leave[];
  /** One profile, a profile history, or a resolver: the one in force on `workDate` is taken. */
  profile: ProfileSource;
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
  const profile = selectProfile(input.profile, workDate);
  const windows = effectiveWindows(plans);
  const [windowStart, windowEnd] = windows[1] as [number, number];
  const inNeighbour = (at: number) =>
    windows.some((w, i) => i !== 1 && at >= (w[0] as number) && at <= (w[1] as number));

  const normalized = input.punches
    .map((p) =>
      typeof p === 'number' || p instanceof Date ? { at: toEpochMs(p) } : { at: toEpochMs(p.at), id: p.id },
    )
    .sort((a, b) => a.at - b.at || ((a.id ?? '') < (b.id ?? '') ? -1 : (a.id ?? '') > (b.id ?? '') ? 1 : 0));
  // The day's punches: those its window holds, and those in no window whose local date it is.
  const inWindow: Array<{ at: number; id?: string }> = [];
  const ignored: IgnoredPunch[] = [];
  const ignore = (p: { at: number; id?: string }, reason: IgnoredPunchReason) =>
    ignored.push(p.id === undefined ? { at: p.at, reason } : { at: p.at, id: p.id, reason });
  for (const p of normalized) {
    if (p.at >= windowStart && p.at <= windowEnd) inWindow.push(p);
    else if (!inNeighbour(p.at) && localDateOf(p.at, timeZone) === workDate) {
      ignore(p, plan.kind === 'Off' ? 'NotAWorkDay' : 'OutsideWindow');
    }
  }
  // Outside the employment period every punch of the day is listed, none counted.
  if (input.employed === false) {
    const all = [
      ...inWindow,
      ...ignored.map((i) => (i.id === undefined ? { at: i.at } : { at: i.at, id: i.id })),
    ];
    return outsideEmploymentDay(
      plan,
      profile,
      all.sort((a, b) => a.at - b.at),
    );
  }
  const split = splitWindowPunches(inWindow.map((p) => p.at));
  for (const { index, reason } of split.ignored)
    ignore(inWindow[index] as { at: number; id?: string }, reason);
  ignored.sort((a, b) => a.at - b.at);
  const rec = evaluateDay({
    plan,
    punches: split.counted,
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
