/**
 * The three views of test/e2e/one-truth.test.ts, read through REST and tallied per employee and
 * code: the day records (GET /api/attendance) with the daily lateness reports
 * (GET /api/reports/lateness), the monthly allowance (GET /api/allowance) and the discipline cases
 * (GET /api/discipline).
 */
import type { IsoDate } from '../../backend/domain/index.ts';
import type { Cluster } from '../support/cluster.ts';
import type { Day } from './rules-support.ts';

export type ListedDay = Day & { unitId: string };
export type AllowanceRow = {
  employeeId: string;
  grossBp: number;
  totalBp: number;
  codeCounts: Record<string, number>;
  absentDates: string[];
  unsettledDates: string[];
  lines: Array<{ date: string; code: string; bp: number }>;
};
export type Case = {
  employeeId: string;
  basis: 'Cumulative' | 'Consecutive';
  threshold: string;
  tkDays: number;
  state: string;
  reviewNeeded: boolean;
};
type Entry = { nip: string; code?: string };
export type LatenessReport = {
  date: string;
  workingEmployees: number;
  units: Array<{ unitId: string; late: Entry[]; earlyLeave: Entry[]; absent: Entry[] }>;
};

/** NIP → code → number of days. */
export type Tally = Map<string, Map<string, number>>;

export function bump(t: Tally, nip: string, code: string, n = 1): void {
  let m = t.get(nip);
  if (!m) {
    m = new Map();
    t.set(nip, m);
  }
  m.set(code, (m.get(code) ?? 0) + n);
}

/** A tally as sorted `nip code=n` lines, for a readable diff. */
export function lines(t: Tally, keep: (code: string) => boolean = () => true): string[] {
  const out: string[] = [];
  for (const [nip, m] of t)
    for (const [code, n] of m) if (keep(code) && n > 0) out.push(`${nip} ${code}=${n}`);
  return out.sort();
}

async function get<T>(c: Cluster, path: string): Promise<T> {
  const r = await c.api<T>('GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export function monthDays(c: Cluster, from: IsoDate, to: IsoDate): Promise<ListedDay[]> {
  return get(c, `/api/attendance?from=${from}&to=${to}&take=50000`);
}

export function lateness(c: Cluster, date: IsoDate): Promise<LatenessReport> {
  return get(c, `/api/reports/lateness?date=${date}`);
}

export function allowance(c: Cluster, month: string): Promise<AllowanceRow[]> {
  return get(c, `/api/allowance?month=${month}`);
}

export function cases(c: Cluster, year: string): Promise<Case[]> {
  return get(c, `/api/discipline?year=${year}&state=All`);
}

/** Per employee and code, the day records' codes (each code once per day). */
export function tallyDays(days: readonly ListedDay[]): Tally {
  const t: Tally = new Map();
  for (const d of days) for (const code of new Set(d.codes)) bump(t, d.employeeId, code);
  return t;
}

/** Per employee and code, the daily reports' late arrivals, early departures and absences. */
export function tallyReports(reports: readonly LatenessReport[]): Tally {
  const t: Tally = new Map();
  for (const r of reports)
    for (const u of r.units) {
      for (const e of [...u.late, ...u.earlyLeave]) bump(t, e.nip, e.code as string);
      for (const e of u.absent) bump(t, e.nip, e.code ?? '(no code)');
    }
  return t;
}

export function tallyAllowance(rows: readonly AllowanceRow[]): Tally {
  const t: Tally = new Map();
  for (const r of rows) for (const [code, n] of Object.entries(r.codeCounts)) bump(t, r.employeeId, code, n);
  return t;
}

/** The longest run of TK working days (days off and holidays are not stored, so they do not break it). */
export function longestTkRun(days: readonly ListedDay[]): Map<string, number> {
  const byEmployee = new Map<string, ListedDay[]>();
  for (const d of days) {
    if (d.status === 'OffDay' || d.status === 'Holiday') continue;
    const list = byEmployee.get(d.employeeId) ?? [];
    list.push(d);
    byEmployee.set(d.employeeId, list);
  }
  const out = new Map<string, number>();
  for (const [nip, list] of byEmployee) {
    let run = 0;
    let best = 0;
    for (const d of list.sort((a, b) => (a.workDate < b.workDate ? -1 : 1))) {
      run = d.status === 'Absent' ? run + 1 : 0;
      best = Math.max(best, run);
    }
    out.set(nip, best);
  }
  return out;
}
