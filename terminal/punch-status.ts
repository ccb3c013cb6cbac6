/**
 * What the kiosk tells a person right after their punch: on time or late by how much (arriving),
 * or leaving early by how much, from the work hours in the retained config. Counted as the backend
 * counts (late minutes floor, early minutes ceiling, a lone punch before the shift's midpoint is an
 * arrival); the backend's day record stays authoritative (it sees every kiosk and leave).
 */
import type { KioskWorkHours, WorkPeriod } from '../protocol/index.ts';

export type PunchStatus =
  | { kind: 'arrival'; lateMinutes: number }
  | { kind: 'departure'; earlyMinutes: number }
  /** No shift near this time (a day off, or beyond the hours the kiosk knows). */
  | { kind: 'none' };

const MINUTE_MS = 60_000;
/** A punch further than this from every shift belongs to none. */
const NEAR_MS = 8 * 3_600_000;

/** The shift of the employee's roster nearest to `atMs` (within NEAR_MS), if any. */
function nearestShift(hours: KioskWorkHours, employeeId: string, atMs: number) {
  const periods = hours.schedules[hours.employees[employeeId] ?? hours.default] ?? [];
  let best: { p: WorkPeriod; start: number; end: number; d: number } | undefined;
  for (const p of periods) {
    const start = Date.parse(p.start);
    const end = Date.parse(p.end);
    const d = atMs < start ? start - atMs : atMs > end ? atMs - end : 0;
    if (d <= NEAR_MS && (!best || d < best.d)) best = { p, start, end, d };
  }
  return best;
}

export function punchStatus(
  hours: KioskWorkHours | undefined,
  employeeId: string,
  atMs: number,
): PunchStatus {
  const best = hours && nearestShift(hours, employeeId, atMs);
  if (!best) return { kind: 'none' };
  if (atMs < Date.parse(best.p.midpoint)) {
    return { kind: 'arrival', lateMinutes: Math.max(0, Math.floor((atMs - best.start) / MINUTE_MS)) };
  }
  return { kind: 'departure', earlyMinutes: Math.max(0, Math.ceil((best.end - atMs) / MINUTE_MS)) };
}

/** The first arrival of a person per shift counts; a later "arrival" punch repeats its status. */
export class ArrivalMemory {
  private readonly first = new Map<string, { shift: string; status: PunchStatus }>();

  statusFor(hours: KioskWorkHours | undefined, employeeId: string, atMs: number): PunchStatus {
    const s = punchStatus(hours, employeeId, atMs);
    const shift = s.kind === 'arrival' && hours ? nearestShift(hours, employeeId, atMs)?.p.start : undefined;
    if (shift === undefined) return s;
    const prev = this.first.get(employeeId);
    if (prev && prev.shift === shift) return prev.status;
    this.first.set(employeeId, { shift, status: s });
    return s;
  }
}
