/**
 * The coming days' work hours a site's kiosks need to say "Tepat waktu" / "Terlambat 12 menit"
 * the moment a punch is recorded, offline too. Pure: planned exactly as the rules engine plans
 * each employee's days (schedule assignments, holidays, Ramadan hours, the site's zone, the punch
 * window), with the engine's duplicate rule (day-punches.ts).
 */
import type { KioskWorkHours, WorkPeriod } from '../../protocol/index.ts';
import { addDays, DEFAULT_SCHEDULE_ID, DUPLICATE_PUNCH_MINUTES, type IsoDate } from '../domain/index.ts';
import type { EmployeeFacts } from './rules-config.repository.ts';
import { planWithWindow, type RulesContext, scheduleById, scheduleIdFor, todayIn } from './rules-context.ts';

/** Yesterday (a night shift's departure) through the next week. */
const DAYS_BACK = 1;
const DAYS_AHEAD = 7;

const iso = (ms: number) => new Date(ms).toISOString();

export function kioskWorkHours(
  ctx: RulesContext,
  siteId: string,
  employees: readonly Pick<EmployeeFacts, 'nip' | 'unitId'>[],
  nowMs: number,
): KioskWorkHours {
  const zone = ctx.siteZones.get(siteId) ?? 'Asia/Jakarta';
  const today = todayIn(zone, nowMs);
  const from = addDays(today, -DAYS_BACK);
  const dates: IsoDate[] = [];
  for (let k = 0; k <= DAYS_BACK + DAYS_AHEAD; k++) dates.push(addDays(from, k));

  // Planned as recompute-days plans each date (planWithWindow): the same shift and the same
  // effective punch window, so the kiosk says "di luar jam absen" exactly when the day record will.
  const periodCache = new Map<string, WorkPeriod | null>();
  const periodOf = (scheduleId: string, date: IsoDate): WorkPeriod | null => {
    const key = `${scheduleId}|${date}`;
    let p = periodCache.get(key);
    if (p === undefined) {
      const { plan, window } = planWithWindow(ctx, scheduleById(ctx, scheduleId), date, zone);
      p =
        plan.kind === 'Work'
          ? {
              date,
              start: iso(plan.start),
              end: iso(plan.end),
              midpoint: iso(plan.midpoint),
              windowStart: iso(window[0]),
              windowEnd: iso(window[1]),
            }
          : null;
      periodCache.set(key, p);
    }
    return p;
  };

  // Employees grouped by the sequence of schedules they follow over these dates.
  const groups = new Map<string, { ids: string[]; nips: string[] }>();
  const people = employees.length > 0 ? employees : [null];
  for (const e of people) {
    const ids = dates.map((d) => (e ? scheduleIdFor(ctx, e, d) : DEFAULT_SCHEDULE_ID));
    const sig = ids.join('|');
    let g = groups.get(sig);
    if (!g) {
      g = { ids, nips: [] };
      groups.set(sig, g);
    }
    if (e) g.nips.push(e.nip);
  }
  const ordered = [...groups.values()].sort((a, b) => b.nips.length - a.nips.length);
  const schedules: Record<string, WorkPeriod[]> = {};
  const byEmployee: Record<string, string> = {};
  ordered.forEach((g, i) => {
    const key = `s${i}`;
    schedules[key] = dates
      .map((d, k) => periodOf(g.ids[k] as string, d))
      .filter((p): p is WorkPeriod => p !== null);
    if (i > 0) for (const nip of g.nips) byEmployee[nip] = key;
  });
  return {
    from,
    to: dates[dates.length - 1] as IsoDate,
    schedules,
    default: 's0',
    employees: byEmployee,
    duplicateMinutes: DUPLICATE_PUNCH_MINUTES,
  };
}
