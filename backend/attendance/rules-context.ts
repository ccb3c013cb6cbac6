/**
 * Everything the rules engine needs besides an employee's punches and leave, loaded once per
 * recompute batch or month close, and the look-ups over it. Pure: no I/O here.
 */
import {
  addDays,
  type Calendar,
  type DayPlan,
  DEFAULT_OFFICE_SCHEDULE,
  DEFAULT_SCHEDULE_ID,
  effectiveWindows,
  type IsoDate,
  indexCalendar,
  inEmployment,
  localDateOf,
  localToInstant,
  type PolicyProfile,
  type ProfileAssignment,
  planDay,
  resolveScheduleId,
  type ScheduleAssignment,
  versionOn,
  type WorkSchedule,
} from '../domain/index.ts';
import type { EmployeeFacts } from './rules-config.repository.ts';

export const DEFAULT_SITE = 'default';

export interface RulesContext {
  schedules: ReadonlyMap<string, WorkSchedule>;
  assignments: readonly ScheduleAssignment[];
  calendar: Calendar;
  /** Every version of every profile; which applies to a day: profile-resolution.ts. */
  profiles: readonly PolicyProfile[];
  /** Profile lineages assigned to units from a date (none: every unit has the default). */
  profileAssignments?: readonly ProfileAssignment[];
  unitParents: ReadonlyMap<string, string | null>;
  siteZones: ReadonlyMap<string, string>;
  positionAmounts: ReadonlyMap<number, number>;
  /** Per site: the earliest `oldestPendingAt` (epoch ms) of its active kiosks with unsent punches. */
  pendingSince: ReadonlyMap<string, number>;
}

export type BaseAmount = { amount: number; source: 'Direct' | 'PositionClass' | 'None' };

/** The employee's facts in force on a date (unit, site, superior, amounts): see `versionOn`. */
export function factsOn(e: EmployeeFacts, date: IsoDate): EmployeeFacts {
  if (e.history.length === 0) return e;
  const v = versionOn(e.history, date, e);
  return {
    ...e,
    unitId: v.unitId,
    siteId: v.siteId,
    superiorNip: v.superiorNip,
    baseAmount: v.baseAmount,
    positionClass: v.positionClass,
  };
}

/** Whether a date lies in the employee's employment period (a working day for them, if planned). */
export function employedOn(e: Pick<EmployeeFacts, 'startDate' | 'endDate'>, date: IsoDate): boolean {
  return inEmployment(e, date);
}

export function siteOf(e: Pick<EmployeeFacts, 'siteId'>): string {
  return e.siteId ?? DEFAULT_SITE;
}

export function zoneOf(ctx: RulesContext, e: Pick<EmployeeFacts, 'siteId'>): string {
  return ctx.siteZones.get(siteOf(e)) ?? ctx.siteZones.get(DEFAULT_SITE) ?? 'Asia/Jakarta';
}

/** The unit, then its parents up to the root (cycles cut). */
export function unitChain(ctx: RulesContext, unitId: string): string[] {
  const chain: string[] = [];
  let u: string | null | undefined = unitId;
  while (u && !chain.includes(u)) {
    chain.push(u);
    u = ctx.unitParents.get(u);
  }
  return chain;
}

export function scheduleById(ctx: RulesContext, id: string): WorkSchedule {
  return ctx.schedules.get(id) ?? ctx.schedules.get(DEFAULT_SCHEDULE_ID) ?? DEFAULT_OFFICE_SCHEDULE;
}

type AssignmentIndex = {
  byEmployee: Map<string, ScheduleAssignment[]>;
  byUnit: Map<string, ScheduleAssignment[]>;
};
const indexes = new WeakMap<RulesContext, AssignmentIndex>();

function assignmentIndex(ctx: RulesContext): AssignmentIndex {
  let index = indexes.get(ctx);
  if (!index) {
    index = { byEmployee: new Map(), byUnit: new Map() };
    for (const a of ctx.assignments) {
      const [map, key] =
        a.target.kind === 'Employee'
          ? [index.byEmployee, a.target.employeeId]
          : [index.byUnit, a.target.unitId];
      const list = map.get(key);
      if (list) list.push(a);
      else map.set(key, [a]);
    }
    indexes.set(ctx, index);
  }
  return index;
}

/** The assignments that can apply to an employee: their own and their units' (up the tree). */
export function assignmentsFor(ctx: RulesContext, e: Pick<EmployeeFacts, 'nip' | 'unitId'>) {
  const index = assignmentIndex(ctx);
  const chain = unitChain(ctx, e.unitId);
  const own = index.byEmployee.get(e.nip) ?? [];
  return { own, units: chain.flatMap((u) => index.byUnit.get(u) ?? []), chain };
}

export function scheduleIdFor(ctx: RulesContext, e: Pick<EmployeeFacts, 'nip' | 'unitId'>, date: IsoDate) {
  const { own, units, chain } = assignmentsFor(ctx, e);
  if (own.length === 0 && units.length === 0) return DEFAULT_SCHEDULE_ID;
  const id = resolveScheduleId([...own, ...units], { employeeId: e.nip, unitIds: chain }, date);
  return ctx.schedules.has(id) ? id : DEFAULT_SCHEDULE_ID;
}

export function baseAmountOf(
  ctx: RulesContext,
  e: Pick<EmployeeFacts, 'baseAmount' | 'positionClass'>,
): BaseAmount {
  if (e.baseAmount !== null) return { amount: e.baseAmount, source: 'Direct' };
  const byClass = e.positionClass === null ? undefined : ctx.positionAmounts.get(e.positionClass);
  return byClass === undefined ? { amount: 0, source: 'None' } : { amount: byClass, source: 'PositionClass' };
}

type Planned = { plans: readonly DayPlan[]; plan: DayPlan; window: readonly [number, number] };
const planned = new WeakMap<RulesContext, Map<string, Planned>>();

/**
 * The plan of a work date and its effective punch window, planned with its neighbours exactly as
 * the engine's `closeMonth` does (a punch in the overlap of two windows goes to the nearer shift),
 * and the three plans (for `computeDailyStatus`). Off days get [NaN, NaN]: no punch belongs to
 * them. Kept per context, by schedule, zone and date: a recompute batch of 10 000 employees plans
 * each of their few schedules' dates once instead of six times per employee and date.
 */
export function planWithWindow(
  ctx: RulesContext,
  schedule: WorkSchedule,
  date: IsoDate,
  timeZone: string,
): Planned {
  let cache = planned.get(ctx);
  if (!cache) {
    cache = new Map();
    planned.set(ctx, cache);
  }
  const key = `${schedule.id}\u0000${timeZone}\u0000${date}`;
  let p = cache.get(key);
  if (!p) {
    const calendar = indexCalendar(ctx.calendar);
    const plans = [-1, 0, 1].map((k) => planDay(schedule, addDays(date, k), timeZone, calendar));
    p = { plans, plan: plans[1] as DayPlan, window: effectiveWindows(plans)[1] as [number, number] };
    cache.set(key, p);
  }
  return p;
}

/**
 * A kiosk of the site still holds unsent punches for this work date: one of them reports an
 * outbox whose oldest punch was taken on or before the end of the day's punch window.
 */
export function pendingFor(ctx: RulesContext, siteId: string, plan: DayPlan, timeZone: string): boolean {
  const since = ctx.pendingSince.get(siteId);
  if (since === undefined) return false;
  const dayEnd = plan.kind === 'Work' ? plan.windowEnd : localToInstant(addDays(plan.date, 1), 0, timeZone);
  return since <= dayEnd;
}

export function hasPendingPunches(
  ctx: RulesContext,
  siteId: string,
  schedule: WorkSchedule,
  date: IsoDate,
  timeZone: string,
): boolean {
  if (!ctx.pendingSince.has(siteId)) return false;
  return pendingFor(ctx, siteId, planDay(schedule, date, timeZone, indexCalendar(ctx.calendar)), timeZone);
}

/** Today's local date in a zone. */
export function todayIn(timeZone: string, nowMs: number): IsoDate {
  return localDateOf(nowMs, timeZone);
}

/** How far back a kiosk's claim of unsent punches holds days Pending: past the month close's reach. */
export const CLAIM_HORIZON_MS = 45 * 86_400_000;

/** How long a kiosk that dropped off (its LWT says offline) is assumed to hold unsent punches. */
export const OFFLINE_PENDING_HORIZON_MS = 7 * 86_400_000;

type TerminalState = {
  siteId: string;
  active: boolean;
  lastStatus: string | null;
  lastStatusAt: Date | null;
};

/**
 * The work date from which a kiosk's previous status may have held days back (Pending), when its
 * new status holds back less: the days from there on are looked at again. Undefined when the
 * change frees nothing (the kiosk had nothing pending, or still holds the same punches back), so a
 * status repeated every 30 s costs no look-up.
 */
export function recheckFrom(
  previous: { lastStatus: string | null; lastStatusAt: Date | null } | null,
  current: { lastStatus: string; lastStatusAt: Date },
  now: number,
): IsoDate | undefined {
  // The claim as made, not as far as it is believed: days held back when they were recent stay
  // Pending in their records until looked at again, however old they are now.
  const one = (s: { lastStatus: string | null; lastStatusAt: Date | null }) =>
    claimedSince({ siteId: '-', active: true, ...s }, now);
  const before = previous ? one(previous) : undefined;
  if (before === undefined) return undefined;
  const after = one(current);
  if (after !== undefined && after <= before) return undefined;
  // A day's window may open the evening before (night shifts): start a day earlier.
  return addDays(localDateOf(before, 'UTC'), -1);
}

/**
 * Earliest pending instant per site from the kiosks' last retained statuses: the oldest unsent
 * punch of a kiosk reporting `outboxDepth > 0`. A kiosk whose connection dropped (its last will
 * says offline, no outbox figures) may be capturing punches it cannot send: it counts as
 * pending since it went offline, for a week at most (then it is taken for dead, and its
 * punches, should they come, recompute the days anyway). A kiosk's claim of unsent punches is
 * believed back to CLAIM_HORIZON_MS at most (#12: a status claiming a punch pending since 2000 held
 * every day of the site Pending, so no absence counted); older punches recompute their days when
 * they arrive.
 */
export function pendingFromStatuses(terminals: readonly TerminalState[], now: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of terminals) {
    let since = claimedSince(t, now);
    if (since === undefined) continue;
    since = Math.max(since, now - CLAIM_HORIZON_MS);
    out.set(t.siteId, Math.min(since, out.get(t.siteId) ?? since));
  }
  return out;
}

/** The instant from which a kiosk's last status says it may hold punches back, as it says it. */
function claimedSince(t: TerminalState, now: number): number | undefined {
  if (!t.active || !t.lastStatus) return undefined;
  let s: { state?: unknown; outboxDepth?: unknown; oldestPendingAt?: unknown };
  try {
    s = JSON.parse(t.lastStatus) as typeof s;
  } catch {
    return undefined;
  }
  let since: number | undefined;
  if (typeof s.outboxDepth === 'number') {
    if (s.outboxDepth > 0 && typeof s.oldestPendingAt === 'string') since = Date.parse(s.oldestPendingAt);
  } else if (s.state === 'offline' && t.lastStatusAt) {
    const at = t.lastStatusAt.getTime();
    if (now - at <= OFFLINE_PENDING_HORIZON_MS) since = at;
  }
  return since !== undefined && Number.isFinite(since) ? since : undefined;
}
