/**
 * The generated month of test/e2e/one-truth.test.ts: 500 employees over one past month, their
 * punches and leave, from a seeded PRNG. Every outcome of RULES.md occurs: on time, TL1–TL4,
 * PSW1–PSW4, a missing arrival or departure, TK, leave of every kind of the default profile,
 * late-arrival and early-departure permits, leave not approved or lacking its letter, and the
 * punches the rules do not use (duplicates, outside the window, between arrival and departure,
 * outside the employment period). Each day also carries the codes it is meant to get, so the test
 * can check the day records against the intent as well as the three views against each other.
 */
import { addDays, dayNumber, type IsoDate, weekdayOf } from '../../backend/domain/index.ts';
import { nip } from '../support/punches.ts';

export const EMPLOYEES = 500;
/** Employees of the branch site (WITA) whose kiosk is out on the outage day: every tenth. */
export const BRANCH_SITE = 'cabang-timur';
/** Employees of this unit (every fifth) follow a region's profile with codes of its own. */
export const REGION_UNIT = 'dinas-b';
/** The region's codes for the default profile's: absent 'A' (5 %), lateness T1–T4, early P1–P4. */
export const REGION_CODES: Readonly<Record<string, string>> = Object.freeze({
  TK: 'A',
  ...Object.fromEntries(
    [1, 2, 3, 4].flatMap((k) => [
      [`TL${k}`, `T${k}`],
      [`PSW${k}`, `P${k}`],
    ]),
  ),
});
const OFFSET = { main: '+07:00', branch: '+08:00' } as const;

export type Person = {
  nip: string;
  name: string;
  branch: boolean;
  /** In REGION_UNIT (its profile's codes), else the default unit. */
  region: boolean;
  startDate: IsoDate;
  endDate: IsoDate | null;
};
export type LeavePlan = {
  employeeId: string;
  kind: string;
  from: IsoDate;
  to: IsoDate;
  part?: 'LateArrival' | 'EarlyDeparture';
  documented?: boolean;
  /** null: left pending (never decided). */
  decision: 'Approved' | 'Rejected' | null;
};
export type GenPunch = { employeeId: string; at: string; branch: boolean; date: IsoDate };
export type Month = {
  month: string;
  /** The month's Monday–Friday dates but the holiday. */
  workdays: IsoDate[];
  holiday: IsoDate;
  /** The last working day: the branch kiosk's punches of it are delivered late. */
  outage: IsoDate;
  people: Person[];
  leaves: LeavePlan[];
  punches: GenPunch[];
  /** NIP → date → the codes the day is meant to have (working days in service only). */
  intent: Map<string, Map<IsoDate, string[]>>;
};

const LEAVE_CODES: Record<string, string> = {
  AnnualLeave: 'CT',
  SickLeave: 'CS',
  MaternityLeave: 'CM',
  ImportantReasonsLeave: 'CAP',
  LongLeave: 'CB',
  OfficialTravel: 'DL',
  DutyOutside: 'TD',
};
const KINDS = Object.keys(LEAVE_CODES);
/** Minutes of lateness or early departure per bracket (1–30, 31–60, 61–90, 91+). */
const BRACKET: ReadonlyArray<readonly [number, number]> = [
  [1, 30],
  [31, 60],
  [61, 90],
  [91, 150],
];
const lo = (k: number) => (BRACKET[k] as readonly [number, number])[0];
const hi = (k: number) => (BRACKET[k] as readonly [number, number])[1];

/** Deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hhmm = (min: number) =>
  `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;

/** The month before the one `now` is in (WIB): past, and within a kiosk claim's reach (45 days). */
export function previousMonth(now: number): string {
  const d = new Date(now + 7 * 3_600_000);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

function datesOf(month: string): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = `${month}-01` as IsoDate; d.startsWith(month); d = addDays(d, 1)) out.push(d);
  return out;
}

type Day = { date: IsoDate; start: number; end: number };
type Ctx = { rand: () => number; int: (a: number, b: number) => number; out: Month };

function punch(ctx: Ctx, p: Person, date: IsoDate, min: number): void {
  const at = `${date}T${hhmm(min)}:${String(ctx.int(0, 59)).padStart(2, '0')}.000${p.branch ? OFFSET.branch : OFFSET.main}`;
  ctx.out.punches.push({ employeeId: p.nip, at, branch: p.branch, date });
}

/** A worked day's punches and the codes they are meant to give. */
function workedDay(ctx: Ctx, p: Person, d: Day, permit: LeavePlan['part'] | null): string[] {
  const { int, rand } = ctx;
  const r = rand();
  let arrival: number | null = d.start - int(1, 40);
  let departure: number | null = d.end + int(0, 60);
  const codes: string[] = [];
  if (permit === 'LateArrival') arrival = d.start + int(20, 120);
  else if (permit === 'EarlyDeparture') departure = d.end - int(20, 150);
  else if (r < 0.16) {
    const k = int(0, 3);
    arrival = d.start + int(lo(k), hi(k));
    codes.push(`TL${k + 1}`);
  } else if (r < 0.3) {
    const k = int(0, 3);
    departure = d.end - int(lo(k), hi(k));
    codes.push(`PSW${k + 1}`);
  } else if (r < 0.34) {
    const [a, b] = [int(0, 3), int(0, 3)];
    arrival = d.start + int(lo(a), Math.min(hi(a), 120));
    departure = d.end - int(lo(b), Math.min(hi(b), 120));
    codes.push(`TL${a + 1}`, `PSW${b + 1}`);
  } else if (r < 0.37) {
    arrival = null;
    codes.push('TL4');
  } else if (r < 0.4) {
    departure = null;
    codes.push('PSW4');
  }
  const first = arrival ?? (departure as number);
  for (const m of [arrival, departure]) if (m !== null) punch(ctx, p, d.date, m);
  if (rand() < 0.06) punch(ctx, p, d.date, first + int(1, 3)); // Duplicate
  if (rand() < 0.05) punch(ctx, p, d.date, rand() < 0.5 ? int(300, 355) : int(1085, 1170)); // OutsideWindow
  if (arrival !== null && departure !== null && departure - arrival > 60 && rand() < 0.05)
    punch(ctx, p, d.date, Math.floor((arrival + departure) / 2)); // Intermediate
  return codes;
}

function peopleOf(workdays: readonly IsoDate[]): Person[] {
  return Array.from({ length: EMPLOYEES }, (_, i) => ({
    nip: nip(i),
    name: `Pegawai ${i}`,
    branch: i % 10 === 0,
    region: i % 5 === 2,
    startDate: (i % 20 === 1 ? workdays[5 + (i % 7)] : '2020-01-01') as IsoDate,
    endDate: i % 50 === 3 ? (workdays[12 + (i % 5)] as IsoDate) : null,
  }));
}

/** One leave (or permit, or leave left pending or refused) for about half of the employees. */
function leaveOf(ctx: Ctx, p: Person, days: readonly IsoDate[], i: number): LeavePlan | null {
  const { int } = ctx;
  const choice = i % 100 === 7 ? -1 : int(0, 19);
  if (choice < 0 || choice > 11 || days.length < 8) return null;
  const at = int(0, days.length - 4);
  const span = (n: number) => ({
    from: days[at] as IsoDate,
    to: days[Math.min(at + n - 1, days.length - 1)] as IsoDate,
  });
  const base = { employeeId: p.nip, decision: 'Approved' as const };
  if (choice < 7) {
    const kind = KINDS[choice] as string;
    const n = kind === 'MaternityLeave' || kind === 'LongLeave' ? 6 : int(1, 3);
    return { ...base, kind, ...span(n), documented: true };
  }
  if (choice === 7) return { ...base, kind: 'SickLeave', ...span(4), documented: false };
  if (choice === 8) return { ...base, kind: 'ImportantReasonsLeave', ...span(1), part: 'LateArrival' };
  if (choice === 9) return { ...base, kind: 'DutyOutside', ...span(1), part: 'EarlyDeparture' };
  if (choice === 10) return { ...base, kind: 'AnnualLeave', ...span(2), decision: null };
  return { ...base, kind: 'AnnualLeave', ...span(2), decision: 'Rejected' };
}

/** What a leave does to a date: a day code, a permit, or nothing (not excused). */
function leaveOn(
  l: LeavePlan | null,
  date: IsoDate,
): { code: string } | { permit: LeavePlan['part'] } | null {
  if (!l) return null;
  if (l.decision !== 'Approved' || date < l.from || date > l.to) return null;
  if (l.part) return { permit: l.part };
  if (l.kind === 'SickLeave' && !l.documented && dayNumber(date) - dayNumber(l.from) >= 2) return null;
  return { code: LEAVE_CODES[l.kind] as string };
}

/** The generated month; `seed` fixes every choice. */
export function generateMonth(month: string, seed: number): Month {
  const rand = rng(seed);
  const int = (a: number, b: number) => a + Math.floor(rand() * (b - a + 1));
  const weekdays = datesOf(month).filter((d) => !['Sat', 'Sun'].includes(weekdayOf(d)));
  const holiday = weekdays[7] as IsoDate;
  const workdays = weekdays.filter((d) => d !== holiday);
  const outage = workdays.at(-1) as IsoDate;
  const people = peopleOf(workdays);
  const out: Month = { month, workdays, holiday, outage, people, leaves: [], punches: [], intent: new Map() };
  const ctx: Ctx = { rand, int, out };
  people.forEach((p, i) => {
    const inService = (d: IsoDate) => d >= p.startDate && (p.endDate === null || d <= p.endDate);
    const days = workdays.filter(inService);
    const leave = leaveOf(ctx, p, days, i);
    if (leave) out.leaves.push(leave);
    const intent = new Map<IsoDate, string[]>();
    out.intent.set(p.nip, intent);
    for (const date of workdays) {
      const d = { date, start: 450, end: weekdayOf(date) === 'Fri' ? 990 : 960 };
      if (!inService(date)) {
        // Now and then a punch on a day outside the employment period: listed, never counted.
        if (rand() < 0.3) punch(ctx, p, date, d.start - 5);
        continue;
      }
      const onLeave = leaveOn(leave, date);
      if (onLeave && 'code' in onLeave) {
        if (rand() < 0.15) punch(ctx, p, date, d.start - 10); // came in anyway: the leave still holds
        intent.set(date, [onLeave.code]);
        continue;
      }
      const chronic = i % 100 === 7 && date >= (days[3] as IsoDate) && date <= (days[14] as IsoDate);
      const coveredButNotExcused = leave && date >= leave.from && date <= leave.to && !onLeave;
      if (chronic || coveredButNotExcused || rand() < 0.05) {
        intent.set(date, ['TK']);
        continue;
      }
      intent.set(date, workedDay(ctx, p, d, onLeave ? onLeave.permit : null));
    }
    if (p.region) {
      for (const [date, codes] of intent)
        intent.set(
          date,
          codes.map((x) => REGION_CODES[x] ?? x),
        );
    }
  });
  return out;
}
