/**
 * The daily lateness report (BKD): for one work date, who arrived late (TL1–TL4), left early
 * (PSW1–PSW4) or was absent without reason (TK), by unit. Pure: built from the day records the
 * rules engine stored, with employee and unit names.
 */
import { csvField } from './csv.ts';
import type { IsoDate } from './local-date.ts';

export type ReportDay = {
  employeeId: string;
  unitId: string;
  status: string;
  codes: readonly string[];
  lateMinutes: number | null;
  earlyMinutes: number | null;
  arrival: number | null;
  departure: number | null;
  provisional: boolean;
};

export type LateEntry = {
  nip: string;
  name: string;
  code: string;
  minutes: number | null;
  at: string | null;
  provisional: boolean;
};
export type AbsentEntry = { nip: string; name: string; provisional: boolean };

export type UnitLateness = {
  unitId: string;
  unitName: string;
  late: LateEntry[];
  earlyLeave: LateEntry[];
  absent: AbsentEntry[];
};

export type LatenessReport = {
  date: IsoDate;
  /** Employees with a working day on that date (present, absent, excused, pending). */
  workingEmployees: number;
  totals: { late: number; earlyLeave: number; absent: number; employees: number };
  units: UnitLateness[];
};

const LATE = /^TL[1-9]$/;
const EARLY = /^PSW[1-9]$/;
const NOT_WORKING = new Set(['OffDay', 'Holiday']);

export function buildLatenessReport(
  date: IsoDate,
  days: readonly ReportDay[],
  names: ReadonlyMap<string, string>,
  unitNames: ReadonlyMap<string, string>,
): LatenessReport {
  const units = new Map<string, UnitLateness>();
  const flagged = new Set<string>();
  let workingEmployees = 0;
  const unit = (id: string): UnitLateness => {
    let u = units.get(id);
    if (!u) {
      u = { unitId: id, unitName: unitNames.get(id) ?? id, late: [], earlyLeave: [], absent: [] };
      units.set(id, u);
    }
    return u;
  };
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  for (const d of days) {
    if (NOT_WORKING.has(d.status)) continue;
    workingEmployees++;
    const name = names.get(d.employeeId) ?? '';
    for (const code of d.codes) {
      if (LATE.test(code)) {
        unit(d.unitId).late.push({
          nip: d.employeeId,
          name,
          code,
          minutes: d.lateMinutes,
          at: iso(d.arrival),
          provisional: d.provisional,
        });
        flagged.add(d.employeeId);
      } else if (EARLY.test(code)) {
        unit(d.unitId).earlyLeave.push({
          nip: d.employeeId,
          name,
          code,
          minutes: d.earlyMinutes,
          at: iso(d.departure),
          provisional: d.provisional,
        });
        flagged.add(d.employeeId);
      } else if (code === 'TK') {
        unit(d.unitId).absent.push({ nip: d.employeeId, name, provisional: d.provisional });
        flagged.add(d.employeeId);
      }
    }
  }
  const byNip = (a: { nip: string }, b: { nip: string }) => (a.nip < b.nip ? -1 : a.nip > b.nip ? 1 : 0);
  const list = [...units.values()].sort((a, b) => (a.unitId < b.unitId ? -1 : 1));
  for (const u of list) {
    u.late.sort(byNip);
    u.earlyLeave.sort(byNip);
    u.absent.sort(byNip);
  }
  return {
    date,
    workingEmployees,
    totals: {
      late: list.reduce((n, u) => n + u.late.length, 0),
      earlyLeave: list.reduce((n, u) => n + u.earlyLeave.length, 0),
      absent: list.reduce((n, u) => n + u.absent.length, 0),
      employees: flagged.size,
    },
    units: list,
  };
}

/** One line per late arrival, early departure or absence. */
export function latenessCsv(r: LatenessReport): string {
  const lines = ['date,unit_id,unit_name,nip,name,kind,code,minutes,at,provisional'];
  for (const u of r.units) {
    const base = [r.date, u.unitId, u.unitName];
    for (const e of u.late)
      lines.push(
        [...base, e.nip, e.name, 'Late', e.code, e.minutes, e.at, e.provisional].map(csvField).join(','),
      );
    for (const e of u.earlyLeave)
      lines.push(
        [...base, e.nip, e.name, 'EarlyLeave', e.code, e.minutes, e.at, e.provisional]
          .map(csvField)
          .join(','),
      );
    for (const e of u.absent)
      lines.push([...base, e.nip, e.name, 'Absent', 'TK', null, null, e.provisional].map(csvField).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
