/**
 * The workload of bench:ingest: a region's employees with their schedules (set up on the running
 * server), one past working day of their punches as the kiosks' outboxes hold them after an
 * outage, and a watcher that sees each punch reach its day record.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Database } from '../backend/db/database.ts';
import {
  addDays,
  type IsoDate,
  localDateOf,
  localToInstant,
  type WeeklyHours,
  weekdayOf,
} from '../backend/domain/index.ts';
import type { Cluster } from '../test/support/cluster.ts';

/** The default site's zone, where the kiosks and employees are. */
export const TZ = 'Asia/Jakarta';

/** Deterministic PRNG (mulberry32), so every round punches alike. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The outage day: the latest Tuesday, Wednesday or Thursday at least two days before today in the
 * site's zone, so that it, both neighbours and the week before are past, and it is within the
 * server's day-close look-back of 7 days.
 */
export function outageDay(now: number): IsoDate {
  let d = addDays(localDateOf(now, TZ), -2);
  while (!['Tue', 'Wed', 'Thu'].includes(weekdayOf(d))) d = addDays(d, -1);
  return d;
}

export const nipOf = (i: number) => `1985${String(i).padStart(14, '0')}`;

type Shift = { start: number; end: number };
const hm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const weekly = (days: readonly string[], s: Shift, breakMinutes: number): WeeklyHours =>
  Object.fromEntries(
    days.map((d) => [d, { start: hm(s.start), end: hm(s.end), breakMinutes }]),
  ) as WeeklyHours;

/** office-default Monday to Thursday: 07:30–16:00 (Friday ends at 16:30). */
const OFFICE = { shift: { start: 450, end: 960 }, days: DAYS.slice(0, 5) };
const OTHER = [
  // A hospital's morning shift, Monday to Saturday, for a whole unit.
  { id: 'rsud-pagi', unit: 'rsud', shift: { start: 420, end: 840 }, days: DAYS, breakMinutes: 30 },
  // Field staff starting early, for a whole unit.
  {
    id: 'dishub-lapangan',
    unit: 'dishub',
    shift: { start: 390, end: 900 },
    days: DAYS.slice(0, 5),
    breakMinutes: 60,
  },
  // Individual 08:00 starts (one assignment per employee), whatever their unit.
  {
    id: 'kantor-0800',
    unit: null,
    shift: { start: 480, end: 990 },
    days: DAYS.slice(0, 5),
    breakMinutes: 60,
  },
] as const;
const UNITS = [
  ...Array.from({ length: 20 }, (_, i) => `opd-${String(i).padStart(2, '0')}`),
  'rsud',
  'dishub',
];
/** Every 200th employee (offset 7) has an 08:00 schedule of their own. */
const ownSchedule = (i: number) => i % 200 === 7;

export type Staff = { nip: string; shift: Shift; days: readonly string[] };
/** The terminal id of the week's punches before the outage (inserted, not sent: not counted). */
export const HISTORY_TERMINAL = 'k-history';

/**
 * An arrival (most up to 45 min before the start, 12 % late by up to 90 min) or a departure (6 %
 * early by up to 90 min, the rest within the hour after the end), to the second.
 */
function punchAt(e: Staff, date: IsoDate, arrival: boolean, rand: () => number): number {
  const minute = arrival
    ? rand() < 0.12
      ? e.shift.start + 1 + Math.floor(rand() * 90)
      : e.shift.start - 45 + Math.floor(rand() * 45)
    : rand() < 0.06
      ? e.shift.end - 1 - Math.floor(rand() * 90)
      : e.shift.end + Math.floor(rand() * 60);
  return localToInstant(date, minute, TZ) + Math.floor(rand() * 60) * 1000;
}

const POST = async (cluster: Cluster, path: string, body: unknown) => {
  const r = await cluster.api('POST', path, body).catch((err: unknown) => {
    throw new Error(`POST ${path} failed`, { cause: err });
  });
  if (r.status !== 201 && r.status !== 200) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
};

/** The server's day close at start (5 s after boot): waited for, so that it runs before anybody exists. */
async function bootDayClose(cluster: Cluster): Promise<void> {
  const started = Date.now();
  for (;;) {
    const jobs = await cluster.api<Array<{ name: string; runs: number; running: boolean }>>(
      'GET',
      '/api/jobs',
    );
    const dayClose = jobs.body.find((j) => j.name === 'day-close');
    if (dayClose && dayClose.runs > 0 && !dayClose.running) return;
    if (Date.now() - started > 120_000) throw new Error('the day close at start never ran');
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * `count` employees in 22 units on the server, as real rows, and their punches of the week before
 * `outage` (every working day but the outage day, up to yesterday). Units, employees and that
 * week's punches go straight into the database (as the e2e tests do; there is no bulk API, and
 * 10 000 POSTs would dominate the setup); the schedules and their assignments through the REST
 * API. Most keep the default office hours; two units and 1 in 200 employees have other schedules.
 */
export async function setUpStaff(cluster: Cluster, db: Database, count: number, outage: IsoDate) {
  const today = localDateOf(Date.now(), TZ);
  const from = addDays(today, -7);
  await bootDayClose(cluster);
  await db.prisma.unit.createMany({ data: UNITS.map((id) => ({ id, name: `Unit ${id}` })) });
  for (const o of OTHER) {
    await POST(cluster, '/api/schedules', {
      id: o.id,
      name: o.id,
      pattern: { kind: 'Weekly', hours: weekly(o.days, o.shift, o.breakMinutes) },
      punchWindow: { kind: 'Absolute', from: '05:00', to: '18:00' },
      observesHolidays: true,
      followsSpecialPeriods: true,
    });
    // Before the employees exist, so that assigning recomputes nobody.
    if (o.unit) {
      await POST(cluster, '/api/schedule-assignments', {
        scheduleId: o.id,
        target: { kind: 'Unit', unitId: o.unit },
        effectiveFrom: from,
        effectiveTo: null,
      });
    }
  }
  const staff: Staff[] = [];
  const rows = [];
  for (let i = 0; i < count; i++) {
    const unitId = UNITS[i % UNITS.length] as string;
    const s = ownSchedule(i) ? OTHER[2] : (OTHER.find((o) => o.unit === unitId) ?? OFFICE);
    staff.push({ nip: nipOf(i), shift: s.shift, days: s.days });
    rows.push({ nip: nipOf(i), name: `Pegawai ${i}`, unitId, baseAmount: 4_000_000 + (i % 20) * 250_000 });
  }
  for (let i = 0; i < rows.length; i += 1000) {
    await db.prisma.employee.createMany({ data: rows.slice(i, i + 1000) });
  }
  await insertWeek(db, staff, from, today, outage);
  // The inserts held this loop (SQLite is synchronous): let the server's keep-alive closes of
  // idle sockets be seen before the next request, or fetch may reuse a closed one.
  await new Promise((r) => setTimeout(r, 200));
  for (const e of staff.filter((_, i) => ownSchedule(i))) {
    await POST(cluster, '/api/schedule-assignments', {
      scheduleId: 'kantor-0800',
      target: { kind: 'Employee', employeeId: e.nip },
      effectiveFrom: from,
      effectiveTo: null,
    });
  }
  return staff;
}

/** Arrival and departure of every employee on each of their working days in [from, to), but the outage day. */
async function insertWeek(
  db: Database,
  staff: readonly Staff[],
  from: IsoDate,
  to: IsoDate,
  outage: IsoDate,
) {
  const rand = rng(7);
  const rows = [];
  let seq = 0;
  for (let date = from; date < to; date = addDays(date, 1)) {
    if (date === outage) continue;
    for (const e of staff) {
      if (!e.days.includes(weekdayOf(date))) continue;
      for (const arrival of [true, false]) {
        const at = punchAt(e, date, arrival, rand);
        rows.push({
          id: `h${++seq}`,
          terminalId: HISTORY_TERMINAL,
          seq,
          employeeId: e.nip,
          method: 'face',
          capturedAt: new Date(at),
          receivedAt: new Date(at + 800),
          clockSynced: true,
          skewMs: 800,
        });
      }
    }
  }
  for (let i = 0; i < rows.length; i += 5000) {
    await db.prisma.attendanceEvent.createMany({ data: rows.slice(i, i + 5000) });
  }
}

/**
 * The region the day after an outage: the server's day close (in service every 15 minutes) has
 * made the week's working days Present and the outage day TK. Runs it, and waits for the
 * recompute it marked (a recompute request is answered once everything marked
 * before it is done). Checks that the outage day is TK for everybody and that no discipline case
 * was opened (one TK day is below every threshold).
 */
export async function closePastDays(
  cluster: Cluster,
  db: Database,
  staff: readonly Staff[],
  outage: IsoDate,
) {
  await POST(cluster, '/api/jobs/day-close/run', undefined);
  const nip = (staff[0] as Staff).nip;
  await POST(cluster, '/api/attendance/recompute', { from: outage, to: outage, employeeId: nip });
  const closed = await db.prisma.dailyRecord.count({ where: { workDate: outage, status: 'Absent' } });
  if (closed !== staff.length) throw new Error(`${closed} of ${staff.length} employees have ${outage} as TK`);
  const cases = await db.prisma.disciplineCase.count();
  if (cases !== 0) throw new Error(`${cases} discipline cases after the set-up`);
}

export type BenchPunch = { id: string; employeeId: string; at: number };

/**
 * `total` punches of one working day, at most two per employee: first everybody's arrival, then
 * the departures (`punchAt`). Each is therefore its day's first or last punch: its arrival or its
 * departure once the rules have seen it.
 */
export function punchesOfDay(staff: readonly Staff[], total: number, date: IsoDate): BenchPunch[] {
  if (total > 2 * staff.length)
    throw new Error(`${total} punches for ${staff.length} employees: at most 2 each`);
  const rand = rng(42);
  return Array.from({ length: total }, (_, j) => {
    const e = staff[j % staff.length] as Staff;
    return { id: uuidv7(), employeeId: e.nip, at: punchAt(e, date, j < staff.length, rand) };
  });
}

/**
 * Polls the day records of one date from the bench process and notes, per punch, the start of the
 * first poll that saw it as its day's arrival or departure. Each poll reads only the rows written
 * since the newest `computed_at` seen so far: the recompute loop writes one batch at a time and
 * stamps `computed_at` just before each write, so the stamps grow in commit order. `full` reads
 * the whole date (a last check before giving up).
 */
export class DayWatcher {
  private readonly waiting = new Map<string, BenchPunch[]>();
  /** Punch id → performance.now() at the start of the poll that first saw it in its day record. */
  readonly seenAt = new Map<string, number>();
  private since = new Date(0);
  private left: number;
  polls = 0;
  rowsRead = 0;

  constructor(
    private readonly db: Database,
    private readonly date: IsoDate,
    punches: readonly BenchPunch[],
  ) {
    for (const p of punches) {
      const list = this.waiting.get(p.employeeId);
      if (list) list.push(p);
      else this.waiting.set(p.employeeId, [p]);
    }
    this.left = punches.length;
  }

  get remaining(): number {
    return this.left;
  }

  async poll(full = false): Promise<void> {
    const t = performance.now();
    const rows = await this.db.prisma.dailyRecord.findMany({
      where: { workDate: this.date, ...(full ? {} : { computedAt: { gte: this.since } }) },
      select: { employeeId: true, arrival: true, departure: true, computedAt: true },
    });
    this.polls++;
    this.rowsRead += rows.length;
    for (const r of rows) {
      if (r.computedAt > this.since) this.since = r.computedAt;
      const list = this.waiting.get(r.employeeId);
      if (!list) continue;
      const a = r.arrival?.getTime();
      const d = r.departure?.getTime();
      const still = list.filter((p) => {
        if (p.at !== a && p.at !== d) return true;
        this.seenAt.set(p.id, t);
        this.left--;
        return false;
      });
      if (still.length === 0) this.waiting.delete(r.employeeId);
      else this.waiting.set(r.employeeId, still);
    }
  }

  /**
   * Polls every `intervalMs` until every punch is seen, or until `stopAfter()` says to give up
   * (then one last full read). Resolves with the performance.now() of the last poll that saw one.
   */
  async run(intervalMs: number, stopAfter: () => boolean): Promise<number> {
    let last = 0;
    while (this.left > 0) {
      const before = this.left;
      const t = performance.now();
      await this.poll(stopAfter());
      if (this.left < before) last = t;
      if (this.left > 0 && stopAfter()) break;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
    return last;
  }
}
