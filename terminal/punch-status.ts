/**
 * What the kiosk tells a person right after their punch, from the work hours in the retained
 * config: on time or late by how much (arriving), leaving early by how much, or that the punch
 * will not count ("di luar jam absen", a repeat, not a work day). It says what the backend's day
 * record would say if the day ended with this punch (RULES.md, "Punches outside the punch window";
 * backend/domain/day-punches.ts):
 *
 * - a punch in no day's punch window is outside it on a work date, "not a work day" otherwise;
 * - the first punch of a day is the arrival when before the shift's midpoint, else a departure;
 * - a punch less than `duplicateMinutes` after the day's first one (or at the same instant as the
 *   one before) repeats it; any later punch is the departure so far.
 *
 * Counted as the backend counts (late minutes floor, early minutes ceiling). The backend's day
 * record stays authoritative: it sees every kiosk and the leave. The table of cases both sides are
 * tested against is test/support/punch-cases.ts.
 */
import type { KioskWorkHours, WorkPeriod } from '../protocol/index.ts';

export type PunchStatus =
  | { kind: 'arrival'; lateMinutes: number }
  | { kind: 'departure'; earlyMinutes: number }
  /** Repeats a punch of the day just taken: not counted again. */
  | { kind: 'duplicate' }
  /** In no day's punch window on a work date: neither arrival nor departure. */
  | { kind: 'outsideWindow' }
  /** On a day off or a holiday. */
  | { kind: 'notWorkDay' }
  /** Nothing to say (no work hours, or beyond the dates the kiosk knows). */
  | { kind: 'none' };

const MINUTE_MS = 60_000;
/** Work hours without punch windows (an older backend): a punch further than this from every shift belongs to none. */
const NEAR_MS = 8 * 3_600_000;

function periodsOf(hours: KioskWorkHours, employeeId: string): readonly WorkPeriod[] {
  return hours.schedules[hours.employees[employeeId] ?? hours.default] ?? [];
}

/** The work day whose punch window holds `atMs` (or, without windows, the nearest shift within NEAR_MS). */
function periodAt(hours: KioskWorkHours, employeeId: string, atMs: number): WorkPeriod | undefined {
  let best: { p: WorkPeriod; d: number } | undefined;
  for (const p of periodsOf(hours, employeeId)) {
    if (p.windowStart !== undefined && p.windowEnd !== undefined) {
      if (atMs >= Date.parse(p.windowStart) && atMs <= Date.parse(p.windowEnd)) return p;
      continue;
    }
    const start = Date.parse(p.start);
    const end = Date.parse(p.end);
    const d = atMs < start ? start - atMs : atMs > end ? atMs - end : 0;
    if (d <= NEAR_MS && (!best || d < best.d)) best = { p, d };
  }
  return best?.p;
}

/** 'YYYY-MM-DD' of an instant in a zone. */
function localDate(atMs: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(atMs);
}

/** A punch in no window: outside the window on a work date, not a work day otherwise. */
function outsideStatus(
  hours: KioskWorkHours,
  employeeId: string,
  atMs: number,
  timeZone: string | undefined,
): PunchStatus {
  const periods = periodsOf(hours, employeeId);
  // Only with windows (a current backend) and the site's zone can the kiosk tell.
  if (!timeZone || !periods.some((p) => p.windowStart !== undefined)) return { kind: 'none' };
  const date = localDate(atMs, timeZone);
  if (date < hours.from || date > hours.to) return { kind: 'none' };
  return periods.some((p) => p.date === date) ? { kind: 'outsideWindow' } : { kind: 'notWorkDay' };
}

const lone = (p: WorkPeriod, atMs: number): PunchStatus =>
  atMs < Date.parse(p.midpoint)
    ? { kind: 'arrival', lateMinutes: Math.max(0, Math.floor((atMs - Date.parse(p.start)) / MINUTE_MS)) }
    : departure(p, atMs);

const departure = (p: WorkPeriod, atMs: number): PunchStatus => ({
  kind: 'departure',
  earlyMinutes: Math.max(0, Math.ceil((Date.parse(p.end) - atMs) / MINUTE_MS)),
});

/** The status of a punch taken alone (the first of its day). */
export function punchStatus(
  hours: KioskWorkHours | undefined,
  employeeId: string,
  atMs: number,
  timeZone?: string,
): PunchStatus {
  if (!hours) return { kind: 'none' };
  const p = periodAt(hours, employeeId, atMs);
  return p ? lone(p, atMs) : outsideStatus(hours, employeeId, atMs, timeZone);
}

/**
 * The status of each punch given the person's earlier punches of the same work day on this kiosk:
 * a repeat, or the departure so far. One entry per person (their latest work day).
 */
export class PunchMemory {
  private readonly days = new Map<string, { date: string; first: number; last: number }>();

  statusFor(
    hours: KioskWorkHours | undefined,
    employeeId: string,
    atMs: number,
    timeZone?: string,
  ): PunchStatus {
    const p = hours && periodAt(hours, employeeId, atMs);
    if (!hours || !p) return punchStatus(hours, employeeId, atMs, timeZone);
    const seen = this.days.get(employeeId);
    if (!seen || seen.date !== p.date) {
      this.days.set(employeeId, { date: p.date, first: atMs, last: atMs });
      return lone(p, atMs);
    }
    const repeat = atMs - seen.first < (hours.duplicateMinutes ?? 0) * MINUTE_MS || atMs === seen.last;
    seen.last = atMs;
    return repeat ? { kind: 'duplicate' } : departure(p, atMs);
  }
}
