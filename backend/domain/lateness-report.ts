/**
 * The daily lateness report (BKD): for one work date, who arrived late (TL1–TL4), left early
 * (PSW1–PSW4) or was absent without reason (TK), by unit. Pure: built from the day records the
 * rules engine stored, with employee and unit names.
 *
 * A day is classified by what the rules decided, as the allowance and discipline read it: its
 * deductions' kinds (a late arrival or a missing clock-in; an early departure or a missing
 * clock-out) and its status (Absent), never by the code's spelling, which is the profile's to
 * choose (a region's absent code may be 'A' or 'TM', its brackets 'T1'…).
 */
import { csvField } from './csv.ts';
import type { DeductionKind } from './daily-record.ts';
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
  /** The day's deductions (kind and code), as the rules engine stored them. */
  deductions: ReadonlyArray<{ kind: DeductionKind; code: string }>;
};

export type LateEntry = {
  nip: string;
  name: string;
  code: string;
  minutes: number | null;
  at: string | null;
  provisional: boolean;
};
/** `code`: the day's absent code in its policy profile (TK in the default one). */
export type AbsentEntry = { nip: string; name: string; code: string; provisional: boolean };

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

const LATE: ReadonlySet<DeductionKind> = new Set(['Late', 'MissingClockIn']);
const EARLY: ReadonlySet<DeductionKind> = new Set(['EarlyDeparture', 'MissingClockOut']);
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
    for (const { kind, code } of d.deductions) {
      if (LATE.has(kind)) {
        unit(d.unitId).late.push({
          nip: d.employeeId,
          name,
          code,
          minutes: d.lateMinutes,
          at: iso(d.arrival),
          provisional: d.provisional,
        });
        flagged.add(d.employeeId);
      } else if (EARLY.has(kind)) {
        unit(d.unitId).earlyLeave.push({
          nip: d.employeeId,
          name,
          code,
          minutes: d.earlyMinutes,
          at: iso(d.departure),
          provisional: d.provisional,
        });
        flagged.add(d.employeeId);
      }
    }
    // Absent as the allowance (absentDates) and discipline count it: by status.
    if (d.status === 'Absent') {
      const code = d.deductions.find((x) => x.kind === 'Absent')?.code ?? d.codes[0] ?? 'TK';
      unit(d.unitId).absent.push({ nip: d.employeeId, name, code, provisional: d.provisional });
      flagged.add(d.employeeId);
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
      lines.push(
        [...base, e.nip, e.name, 'Absent', e.code, null, null, e.provisional].map(csvField).join(','),
      );
  }
  return `${lines.join('\r\n')}\r\n`;
}
