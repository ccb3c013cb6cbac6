/**
 * One recompute batch's core: for some employees and their dirty dates, read punches (with
 * corrections), leave and the stored days, run the engine for each date, and return the days
 * whose record changed (a plain day off that was never stored is no change).
 */
import {
  addDays,
  computeDailyStatus,
  DAY_MS,
  dayNumber,
  type IsoDate,
  localToInstant,
} from '../domain/index.ts';
import { isStored, type StoredDay, sameStoredDay, toStoredDay } from './daily-record.mapper.ts';
import type { DailyRecordRepository } from './daily-record.repository.ts';
import { applyCorrections } from './effective-punches.ts';
import type { LeaveRepository } from './leave.repository.ts';
import { employeeProfiles } from './profile-resolution.ts';
import type { PunchRepository, StoredCorrection } from './punch.repository.ts';
import type { EmployeeFacts } from './rules-config.repository.ts';
import {
  employedOn,
  factsOn,
  pendingFor,
  planWithWindow,
  type RulesContext,
  scheduleById,
  scheduleIdFor,
  siteOf,
  todayIn,
  zoneOf,
} from './rules-context.ts';

export type DayChange = { employee: EmployeeFacts; before: StoredDay | null; after: StoredDay };

/**
 * Dates after today in the employee's zone are skipped, unless the day's punch window has already
 * opened: a shift starting at 00:30 with an arrival at 23:50 the evening before is under way.
 */
export async function computeDayChanges(
  deps: { punches: PunchRepository; leaves: LeaveRepository; days: DailyRecordRepository },
  employees: readonly EmployeeFacts[],
  dirty: ReadonlyMap<string, ReadonlySet<IsoDate>>,
  ctx: RulesContext,
  now: number,
): Promise<{ changes: DayChange[]; computed: number }> {
  const work = employees
    .map((e) => {
      const tz = zoneOf(ctx, e);
      const today = todayIn(tz, now);
      const dates = [...(dirty.get(e.nip) ?? [])]
        .filter((d) => d <= today || windowOpened(ctx, e, d, tz, now))
        .sort();
      return { e, tz, dates };
    })
    .filter((w) => w.dates.length > 0);
  if (work.length === 0) return { changes: [], computed: 0 };
  const all = work.flatMap((w) => w.dates).sort();
  const min = all[0] as IsoDate;
  const max = all.at(-1) as IsoDate;
  const nips = work.map((w) => w.e.nip);
  // Generous: windows of neighbouring days and night shifts reach into the days around.
  const from = new Date((dayNumber(min) - 3) * DAY_MS);
  const to = new Date((dayNumber(max) + 4) * DAY_MS);
  const [instants, corrections, leaves, stored] = await Promise.all([
    deps.punches.instants(nips, from, to),
    deps.punches.corrections(nips, from, to),
    deps.leaves.byEmployee(nips, min, max),
    deps.days.forEmployees(nips, min, max),
  ]);
  const correctionsOf = new Map<string, StoredCorrection[]>();
  for (const c of corrections) {
    const list = correctionsOf.get(c.employeeId);
    if (list) list.push(c);
    else correctionsOf.set(c.employeeId, [c]);
  }
  const before = new Map(stored.map((s) => [`${s.employeeId}|${s.workDate}`, s]));
  const changes: DayChange[] = [];
  for (const { e, tz, dates } of work) {
    const punches = applyCorrections(instants.get(e.nip) ?? [], correctionsOf.get(e.nip) ?? []);
    for (const date of dates) {
      // What held on that day: unit, site (zone), schedule (RULES.md "People over time").
      const f = factsOn(e, date);
      const dayTz = f === e ? tz : zoneOf(ctx, f);
      const schedule = scheduleById(ctx, scheduleIdFor(ctx, f, date));
      // The punches of this day's window and those of its local date (the engine lists those in
      // no window with their reason), as closeMonth assigns them: the neighbours' are theirs.
      const { plans, plan, window } = planWithWindow(ctx, schedule, date, dayTz);
      const dayStart = localToInstant(date, 0, dayTz);
      const dayEnd = localToInstant(addDays(date, 1), 0, dayTz);
      const rec = computeDailyStatus({
        workDate: date,
        timeZone: dayTz,
        schedule,
        calendar: ctx.calendar,
        punches: punches.filter((p) => (p >= window[0] && p <= window[1]) || (p >= dayStart && p < dayEnd)),
        leaves: leaves.get(e.nip) ?? [],
        profile: employeeProfiles(ctx, f.unitId),
        pendingPunches: pendingFor(ctx, siteOf(f), plan, dayTz),
        asOf: now,
        plans,
        employed: employedOn(e, date),
      });
      const after = toStoredDay(e.nip, f.unitId, rec);
      const old = before.get(`${e.nip}|${date}`) ?? null;
      const changed = old ? !sameStoredDay(old, after) : isStored(after);
      if (changed) changes.push({ employee: e, before: old, after });
    }
  }
  return { changes, computed: work.reduce((n, w) => n + w.dates.length, 0) };
}

/** A new punch: its instant and its local date in its kiosk's zone. */
export type PunchOnDate = { at: number; date: IsoDate };

/**
 * The days new punches can change: of each punch's local date and both neighbours, those whose
 * effective punch window holds it, as `computeDayChanges` cuts the punches (a night shift's
 * departure after midnight belongs to the day before; an evening arrival for a shift starting
 * after midnight to the day after). No other day's record depends on that punch. A punch in no
 * window keeps its own date.
 */
export function punchDates(
  ctx: RulesContext,
  e: EmployeeFacts,
  punches: readonly PunchOnDate[],
): Set<IsoDate> {
  const out = new Set<IsoDate>();
  if (punches.length === 0) return out;
  for (const p of punches) {
    let held = false;
    for (const d of [addDays(p.date, -1), p.date, addDays(p.date, 1)]) {
      const f = factsOn(e, d);
      const { window } = planWithWindow(ctx, scheduleById(ctx, scheduleIdFor(ctx, f, d)), d, zoneOf(ctx, f));
      if (p.at >= window[0] && p.at <= window[1]) {
        out.add(d);
        held = true;
      }
    }
    if (!held) out.add(p.date);
  }
  return out;
}

/** Whether the punch window of `date` (a day after today) has opened by `now`. */
function windowOpened(ctx: RulesContext, e: EmployeeFacts, date: IsoDate, tz: string, now: number): boolean {
  const f = factsOn(e, date);
  const { plan, window } = planWithWindow(ctx, scheduleById(ctx, scheduleIdFor(ctx, f, date)), date, tz);
  return plan.kind === 'Work' && window[0] <= now;
}
