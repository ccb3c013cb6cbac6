/**
 * Fast path for closing a month for many employees (10 000 × 23 days in well
 * under a second). Plans are computed once per (schedule, zone, date) and shared;
 * each employee's punches are sorted once into a Float64Array and cut into days
 * by binary search on the precomputed windows; no Intl call in the loop.
 * Produces the same day records as `computeDailyStatus` (same core, same window
 * split between neighbouring shifts).
 */
import { computeMonthlyAllowance, type MonthlyAllowance } from './allowance.ts';
import { type Calendar, indexCalendar } from './calendar.ts';
import type { DailyRecord, IgnoredPunch } from './daily-record.ts';
import { evaluateDay } from './day-evaluation.ts';
import { splitWindowPunches } from './day-punches.ts';
import { DomainError } from './domain-error.ts';
import { type EmploymentPeriod, inEmployment, outsideEmploymentDay, proratedBase } from './employment.ts';
import { type Leave, leaveForDay } from './leave.ts';
import { addDays, datesOfMonth, type IsoDate, type IsoMonth } from './local-date.ts';
import { type PolicyProfile, type ProfileSource, selectProfile } from './policy-profile.ts';
import { type DayPlan, effectiveWindows, planDay, type WorkSchedule } from './schedule.ts';
import { localToInstant } from './time-zone.ts';

export interface MonthCloseEmployee {
  employeeId: string;
  baseAmount: number;
  /** IANA zone of the employee's site. */
  timeZone: string;
  /** One schedule id for the whole month, or one per date of the month (index 0 = the 1st). */
  scheduleId: string | readonly string[];
  /**
   * Epoch ms, any order, from the first day's window start to the last day's
   * window end (a night shift of the last day ends next month). Others are unassigned.
   */
  punches: ArrayLike<number>;
  leaves?: readonly Leave[];
  /** Dates for which a kiosk of the site still holds unsent punches. */
  pendingDates?: readonly IsoDate[];
  /**
   * This employee's profiles (e.g. resolved through their unit, profile-assignment.ts) instead of
   * the setup's. Employees of one unit should share one source: its days are looked up once.
   */
  profiles?: ProfileSource;
  /**
   * The employment period (RULES.md "People over time"). Days outside it are not working days (`outsideEmploymentDay`), and the base is prorated by
   * the working days in it (`proratedBase`); none: every day, the whole base.
   */
  employment?: EmploymentPeriod;
  /** The base in force on each date of the month (index 0 = the 1st), when it changes within it. */
  baseAmounts?: readonly number[];
}

/** What a month close needs besides the employees. */
export interface MonthCloseSetup {
  month: IsoMonth;
  schedules: readonly WorkSchedule[];
  calendar: Calendar;
  profiles: ProfileSource;
  /** Return the day records too (needed for reports and discipline); default true. */
  keepDays?: boolean;
  /**
   * With `keepDays`: build records for days off too (weekly or roster; default true). When false,
   * a day off gets no record and its date goes to the result's `offDates` instead (holidays keep
   * theirs): a day off carries nothing into the allowance, and a quarter of a month's records
   * are days off that the database does not store anyway (see daily-record.mapper.ts).
   */
  offDayRecords?: boolean;
  /**
   * Evaluate as of this instant (epoch ms), as `computeDailyStatus` does: days whose punch window
   * has not closed yet are 'Open' instead of absent. Omit (the default) once the month is over.
   */
  asOf?: number;
}

export interface MonthCloseInput extends MonthCloseSetup {
  employees: readonly MonthCloseEmployee[];
}

export interface MonthCloseResult {
  employeeId: string;
  allowance: MonthlyAllowance;
  days: DailyRecord[] | null;
  /** Punches that fell in no day's window. */
  unassignedPunches: number;
  /**
   * With `offDayRecords: false`: the days off (status 'OffDay') left out of `days`, ascending.
   * Shared between employees of the same schedule and zone: do not modify.
   */
  offDates?: readonly IsoDate[];
}

const NO_PUNCHES: readonly number[] = Object.freeze([]);
const NO_PENDING: ReadonlySet<IsoDate> = new Set();

interface Series {
  plans: readonly DayPlan[];
  windows: ReadonlyArray<readonly [number, number]>;
  /** Dates of the month whose record would be an 'OffDay' (days off that are not holidays). */
  offDates: readonly IsoDate[];
}

/** First index whose value is >= value (or > value when `strict`), in a[0..n). */
function bound(a: Float64Array, n: number, value: number, strict: boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid] as number;
    if (v < value || (strict && v === value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Scratch space for one employee's punches at a time (grown as needed, never shrunk). */
let scratch = new Float64Array(256);

/**
 * The punches sorted, in the returned array's [0, n): the shared scratch array, valid until the
 * next call (the month close does this for 10 000 employees, one after the other). Punches mostly
 * come in time order, so insertion sort is linear for them. Equal instants stay: the day lists the
 * repeat (day-punches.ts), as `computeDailyStatus` does.
 */
function sorted(punches: ArrayLike<number>): { a: Float64Array; n: number } {
  const len = punches.length;
  if (scratch.length < len) scratch = new Float64Array(Math.max(len, 2 * scratch.length));
  const a = scratch;
  for (let i = 0; i < len; i++) {
    const v = punches[i] as number;
    if (!Number.isFinite(v)) throw new DomainError('INVALID_ARGUMENT', 'punch is not a finite epoch ms');
    a[i] = v;
  }
  if (len > 64) a.subarray(0, len).sort();
  else {
    for (let i = 1; i < len; i++) {
      const v = a[i] as number;
      let j = i - 1;
      while (j >= 0 && (a[j] as number) > v) {
        a[j + 1] = a[j] as number;
        j--;
      }
      a[j + 1] = v;
    }
  }
  return { a, n: len };
}

/** a[lo..hi) as a plain array (what `evaluateDay` takes); mostly two punches. */
function slice(a: Float64Array, lo: number, hi: number): number[] {
  if (hi - lo === 2) return [a[lo] as number, a[lo + 1] as number];
  const out: number[] = [];
  for (let i = lo; i < hi; i++) out.push(a[i] as number);
  return out;
}

const inside = (w: readonly [number, number] | undefined, at: number) =>
  w !== undefined && at >= w[0] && at <= w[1];

/** What `punchesOfDay` found; one object reused for every day (230 000 a month). */
interface DayPunches {
  counted: readonly number[];
  /** null when there is nothing to list. */
  ignored: IgnoredPunch[] | null;
  /** How many punches the day's window holds. */
  inWindow: number;
}
const dayPunches: DayPunches = { counted: NO_PUNCHES, ignored: null, inWindow: 0 };

/**
 * The punches of span day `k` (a[0..n) sorted): those of its window, split into counted and
 * repeats (day-punches.ts), and, with `midnights`, those in no window on its local date, exactly
 * as `computeDailyStatus` lists them. Returns the shared `dayPunches`, valid until the next call.
 */
/** Every punch of a day outside the employment period, in time order: none of them counts. */
function outsideListed(day: DayPunches): { at: number }[] {
  const all = Array.from(day.counted, (at) => ({ at }));
  for (const p of day.ignored ?? []) all.push({ at: p.at });
  return all.sort((a, b) => a.at - b.at);
}

function punchesOfDay(
  a: Float64Array,
  n: number,
  windows: ReadonlyArray<readonly [number, number]>,
  k: number,
  midnights: Float64Array | null,
): DayPunches {
  const w = windows[k] as readonly [number, number];
  const out = dayPunches;
  out.counted = NO_PUNCHES;
  out.ignored = null;
  out.inWindow = 0;
  let lo = 0;
  let hi = 0;
  if (!Number.isNaN(w[0])) {
    lo = bound(a, n, w[0], false);
    hi = bound(a, n, w[1], true);
    out.inWindow = hi - lo;
    if (hi > lo) {
      const split = splitWindowPunches(slice(a, lo, hi));
      out.counted = split.counted;
      if (split.ignored.length > 0) {
        out.ignored = split.ignored.map(({ index, reason }) => ({ at: a[lo + index] as number, reason }));
      }
    }
  }
  if (midnights === null) return out;
  const from = bound(a, n, midnights[k] as number, false);
  const to = bound(a, n, midnights[k + 1] as number, false);
  // The usual day: every punch of the date is in its window.
  if (from >= to || (hi > lo && from >= lo && to <= hi)) return out;
  for (let j = from; j < to; j++) {
    const at = a[j] as number;
    if (inside(windows[k - 1], at) || inside(w, at) || inside(windows[k + 1], at)) continue;
    out.ignored ??= [];
    out.ignored.push({ at, reason: Number.isNaN(w[0]) ? 'NotAWorkDay' : 'OutsideWindow' });
  }
  if (out.ignored !== null && out.ignored.length > 1) out.ignored.sort((x, y) => x.at - y.at);
  return out;
}

/** Close a month: every employee's day records and monthly allowance. */
export function closeMonth(input: MonthCloseInput): MonthCloseResult[] {
  return input.employees.map(monthCloser(input));
}

/**
 * The month close one employee at a time: the plans, windows and profiles are prepared once and
 * shared, so a caller can close employees in chunks and let each chunk's records go (to the
 * database) before computing the next, instead of holding the whole month's records at once.
 * `closeMonth(input)` is `input.employees.map(monthCloser(input))`.
 */
export function monthCloser(input: MonthCloseSetup): (emp: MonthCloseEmployee) => MonthCloseResult {
  const { month, profiles } = input;
  const dates = datesOfMonth(month);
  const first = dates[0] as IsoDate;
  const span = [addDays(first, -1), ...dates, addDays(dates.at(-1) as IsoDate, 1)];
  const calendar = indexCalendar(input.calendar);
  const schedules = new Map(input.schedules.map((s) => [s.id, s]));
  const profileByDay = dates.map((d) => selectProfile(profiles, d));
  const profilesBySource = new Map<ProfileSource, PolicyProfile[]>();
  const profilesOf = (source: ProfileSource | undefined): readonly PolicyProfile[] => {
    if (source === undefined) return profileByDay;
    let list = profilesBySource.get(source);
    if (!list) {
      list = dates.map((d) => selectProfile(source, d));
      profilesBySource.set(source, list);
    }
    return list;
  };

  const planCache = new Map<string, DayPlan[]>();
  const plansFor = (scheduleId: string, timeZone: string): DayPlan[] => {
    const key = `${scheduleId}\u0000${timeZone}`;
    let plans = planCache.get(key);
    if (!plans) {
      const schedule = schedules.get(scheduleId);
      if (!schedule)
        throw new DomainError('UNKNOWN_SCHEDULE', `no schedule with id ${JSON.stringify(scheduleId)}`);
      plans = span.map((d) => planDay(schedule, d, timeZone, calendar));
      planCache.set(key, plans);
    }
    return plans;
  };
  // By schedule id, then zone: no key to build per employee.
  const seriesCache = new Map<string, Map<string, Series>>();
  const seriesFor = (emp: MonthCloseEmployee): Series => {
    if (typeof emp.scheduleId === 'string') {
      let byZone = seriesCache.get(emp.scheduleId);
      if (!byZone) {
        byZone = new Map();
        seriesCache.set(emp.scheduleId, byZone);
      }
      let s = byZone.get(emp.timeZone);
      if (!s) {
        const plans = plansFor(emp.scheduleId, emp.timeZone);
        s = { plans, windows: effectiveWindows(plans), offDates: offDatesOf(plans) };
        byZone.set(emp.timeZone, s);
      }
      return s;
    }
    const ids = emp.scheduleId;
    if (ids.length !== dates.length) {
      throw new DomainError('INVALID_ARGUMENT', `${emp.employeeId}: need ${dates.length} schedule ids`);
    }
    const plans = span.map((_, i) => {
      const id = ids[Math.min(Math.max(i - 1, 0), ids.length - 1)] as string;
      return plansFor(id, emp.timeZone)[i] as DayPlan;
    });
    return { plans, windows: effectiveWindows(plans), offDates: offDatesOf(plans) };
  };

  // Local midnights of the span's dates and the day after, per zone: a punch in no window belongs
  // to its local date.
  const midnightCache = new Map<string, Float64Array>();
  const midnightsFor = (timeZone: string): Float64Array => {
    let m = midnightCache.get(timeZone);
    if (!m) {
      m = new Float64Array(span.length + 1);
      for (let k = 0; k <= span.length; k++) m[k] = localToInstant(addDays(first, k - 1), 0, timeZone);
      midnightCache.set(timeZone, m);
    }
    return m;
  };

  const keepDays = input.keepDays ?? true;
  const offDayRecords = keepDays && (input.offDayRecords ?? true);
  const asOf = input.asOf ?? null;
  const noLeave: readonly Leave[] = [];
  return (emp) => {
    const { plans, windows, offDates } = seriesFor(emp);
    const midnights = midnightsFor(emp.timeZone);
    const { a: punches, n: punchCount } = sorted(emp.punches);
    const pending = emp.pendingDates?.length ? new Set(emp.pendingDates) : NO_PENDING;
    const leaves = emp.leaves ?? noLeave;
    const dayProfiles = profilesOf(emp.profiles);
    const days: DailyRecord[] = [];
    const period = emp.employment;
    const offWithPunches = new Set<IsoDate>();
    // Days outside the period with nothing to list go with the days off (their records removed).
    const outsideOff: IsoDate[] = [];
    let assigned = 0;
    for (let i = 0; i < dates.length; i++) {
      const plan = plans[i + 1] as DayPlan;
      if (plan.kind === 'Off' && !keepDays) continue;
      // Without day records only the counted punches matter (the allowance).
      const day = punchesOfDay(punches, punchCount, windows, i + 1, keepDays ? midnights : null);
      assigned += day.inWindow;
      const profile = dayProfiles[i] as PolicyProfile;
      if (period !== undefined && !inEmployment(period, plan.date)) {
        if (!keepDays) continue;
        const listed = outsideListed(day);
        if (offDayRecords || listed.length > 0) {
          days.push(outsideEmploymentDay(plan, profile, listed));
          if (plan.kind === 'Off') offWithPunches.add(plan.date);
        } else if (plan.kind === 'Work' || plan.holiday !== null) outsideOff.push(plan.date);
        continue;
      }
      // Days off carry nothing into the allowance: only build their records when asked for, or
      // when punches were taken on them (no punch vanishes).
      if (plan.kind === 'Off' && !offDayRecords && plan.holiday === null) {
        if (day.ignored === null) continue;
        offWithPunches.add(plan.date);
      }
      const rec = evaluateDay({
        plan,
        punches: day.counted,
        windowEnd: (windows[i + 1] as readonly [number, number])[1],
        leave: leaveForDay(leaves, plan.date, profile),
        profile,
        pendingPunches: pending.has(plan.date),
        asOf,
      });
      if (day.ignored !== null) rec.ignoredPunches = day.ignored;
      days.push(rec);
    }
    const allowance = computeMonthlyAllowance({
      employeeId: emp.employeeId,
      month,
      baseAmount: period || emp.baseAmounts ? monthBase(emp, plans, dates) : emp.baseAmount,
      days,
      profiles: emp.profiles ?? profiles,
    });
    const result: MonthCloseResult = {
      employeeId: emp.employeeId,
      allowance,
      days: keepDays ? days : null,
      unassignedPunches: punchCount - assigned,
    };
    if (keepDays && !offDayRecords) {
      const off = offWithPunches.size === 0 ? offDates : offDates.filter((d) => !offWithPunches.has(d));
      result.offDates = outsideOff.length === 0 ? off : [...off, ...outsideOff].sort();
    }
    return result;
  };
}

/** The base prorated by working days in service (RULES.md "Partial months"). */
function monthBase(emp: MonthCloseEmployee, plans: readonly DayPlan[], dates: readonly IsoDate[]): number {
  const work: IsoDate[] = [];
  for (let i = 0; i < dates.length; i++)
    if ((plans[i + 1] as DayPlan).kind === 'Work') work.push(dates[i] as IsoDate);
  const bases = emp.baseAmounts;
  // Dates of the month: the day of the month is the index + 1.
  const baseOn = bases
    ? (d: IsoDate) => bases[Number(d.slice(8)) - 1] ?? emp.baseAmount
    : () => emp.baseAmount;
  return proratedBase(work, emp.employment, baseOn, emp.baseAmount);
}

function offDatesOf(plans: readonly DayPlan[]): readonly IsoDate[] {
  const out: IsoDate[] = [];
  for (let i = 1; i < plans.length - 1; i++) {
    const p = plans[i] as DayPlan;
    if (p.kind === 'Off' && !p.holiday) out.push(p.date);
  }
  return Object.freeze(out);
}
