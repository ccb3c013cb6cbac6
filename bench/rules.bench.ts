/**
 * `npm run bench:rules -- [--employees N] [--month YYYY-MM] [--rounds R] [--json]`
 *
 * Closing a month from the database. Seeds a fresh SQLite file (straight through better-sqlite3,
 * not timed) with N employees (default 10 000) and a month of punches: 23 work days in July 2026,
 * ~2 punches a day, some late or early, some single punches, some absences, some leave. Then,
 * in the same process and for each round, times:
 *
 * - read: reading what the month close reads (employees, the month's punches, corrections, leave)
 *   through the same repositories;
 * - month: the whole close as POST /api/allowance/close runs it: load the rules context, read, run
 *   the rules, write every day record and every allowance (one transaction), then count absences
 *   for discipline cases.
 *
 * The rules' own share (rulesSeconds) is measured inside the close: the close computes a chunk of
 * employees, writes it, computes the next (month-close.service.ts), and rulesSeconds is the sum of
 * the computing parts, writeSeconds the rest of the write. Then, once, the recompute path (what
 * punches, leave and corrections trigger) over every employee and 3 dates. The last line with
 * --json is one JSON object: employees, punches, monthSeconds, readSeconds, rulesSeconds,
 * writeSeconds, … (medians over the rounds; ratios are medians of the per-round ratios, and
 * rulesToReadRounds lists them), recomputeSeconds, recomputeWritten (0 when the recompute path
 * agrees with the close on every day), rowReadSeconds (the same punches read one Prisma row each,
 * for scale), and the load average before and after (the figures are wall-clock times).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { createAttendance } from '../backend/attendance/attendance.module.ts';
import { migrateDatabase, openDatabase } from '../backend/db/database.ts';
import { addDays, datesOfMonth, localToInstant, weekdayOf } from '../backend/domain/index.ts';
import { logger } from '../lib/logger.ts';

const { values: a } = parseArgs({
  options: {
    employees: { type: 'string', default: '10000' },
    month: { type: 'string', default: '2026-07' },
    rounds: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(a.employees);
const MONTH = a.month as string;
const ROUNDS = Math.max(1, Number(a.rounds));
const TZ = 'Asia/Jakarta';
const log = logger('bench');
log.level = 'warn';

/** Deterministic PRNG (mulberry32), so every run seeds the same month. */
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

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
const nipOf = (i: number) => `1985${String(i).padStart(14, '0')}`;

function seed(file: string): { punches: number; leaves: number; workDays: number } {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const rand = rng(42);
  const now = iso(Date.now());
  const workDates = datesOfMonth(MONTH).filter((d) => !['Sat', 'Sun'].includes(weekdayOf(d)));
  const units = Array.from({ length: 40 }, (_, i) => `opd-${i}`);
  let punches = 0;
  let leaves = 0;
  db.transaction(() => {
    db.prepare("INSERT INTO site (id, name, time_zone, created_at) VALUES ('default', 'Kantor', ?, ?)").run(
      TZ,
      now,
    );
    db.prepare('INSERT INTO terminal (id, name, site_id, secret_hash, created_at) VALUES (?,?,?,?,?)').run(
      'k-bench',
      'Gerbang',
      'default',
      'x',
      now,
    );
    const unit = db.prepare('INSERT INTO unit (id, name, created_at) VALUES (?,?,?)');
    for (const u of units) unit.run(u, u, now);
    const emp = db.prepare(
      'INSERT INTO employee (nip, name, kind, unit_id, active, created_at, updated_at, base_amount) VALUES (?,?,?,?,1,?,?,?)',
    );
    const ev = db.prepare(
      `INSERT INTO attendance_event (id, terminal_id, seq, employee_id, method, captured_at, received_at, score,
         distance, clock_synced, clock_offset_ms, skew_ms, liveness, unknown_employee, clock_skew)
       VALUES (?,?,?,?,'face',?,?,0.9,NULL,1,0,800,NULL,0,0)`,
    );
    const leave = db.prepare(
      `INSERT INTO leave_request (id, employee_id, kind, date_from, date_to, part, approval, documented, created_at, updated_at)
       VALUES (?,?,?,?,?,'FullDay','Approved',?,?,?)`,
    );
    for (let i = 0; i < N; i++) {
      const nip = nipOf(i);
      emp.run(nip, `Pegawai ${i}`, 'PNS', units[i % units.length], now, now, 4_000_000 + (i % 20) * 250_000);
      // ~4 % of employees take 2–4 days of leave (annual, or sick with a letter).
      const onLeave = new Set<string>();
      if (rand() < 0.04) {
        const start = Math.floor(rand() * (workDates.length - 4));
        const len = 2 + Math.floor(rand() * 3);
        const sick = rand() < 0.3;
        const from = workDates[start] as string;
        const to = workDates[start + len - 1] as string;
        leave.run(`lv-${i}`, nip, sick ? 'SickLeave' : 'AnnualLeave', from, to, sick ? 1 : 0, now, now);
        leaves++;
        for (let k = start; k < start + len; k++) onLeave.add(workDates[k] as string);
      }
      for (const date of workDates) {
        if (onLeave.has(date)) continue;
        const r = rand();
        if (r < 0.02) continue; // absent (TK)
        const minutes: number[] = [];
        // Arrival: mostly 06:50–07:30, 12 % late by up to two hours.
        const late = rand() < 0.12;
        const arrive = late ? 450 + 1 + Math.floor(rand() * 120) : 410 + Math.floor(rand() * 40);
        // Departure: after the end, 6 % leave early.
        const end = weekdayOf(date) === 'Fri' ? 990 : 960;
        const early = rand() < 0.06;
        const leaveAt = early ? end - 1 - Math.floor(rand() * 90) : end + Math.floor(rand() * 60);
        if (r < 0.035)
          minutes.push(rand() < 0.5 ? arrive : leaveAt); // a single punch
        else {
          minutes.push(arrive, leaveAt);
          if (rand() < 0.05) minutes.push(arrive + 1); // punched twice at the door
        }
        for (const m of minutes) {
          const at = localToInstant(date, m, TZ) + Math.floor(rand() * 60_000);
          punches++;
          ev.run(`e${punches}`, 'k-bench', punches, nip, iso(at), iso(at + 800));
        }
      }
    }
  })();
  db.close();
  return { punches, leaves, workDays: workDates.length };
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] as number;
const s = (ms: number) => Number((ms / 1000).toFixed(3));

const loadBefore = loadavg()[0] as number;
const dir = mkdtempSync(join(tmpdir(), 'att-rules-bench-'));
const file = join(dir, 'bench.db');
try {
  await migrateDatabase(`file:${file}`);
  let t = performance.now();
  const seeded = seed(file);
  const seedMs = performance.now() - t;
  const database = await openDatabase(`file:${file}`);
  const db = { prisma: database.prisma, provider: database.provider };
  const attendance = createAttendance(db, { log: () => log, sqliteFile: file });
  await attendance.start({ dayCloseJob: false });
  const close = attendance.close;
  if (!a.json) {
    console.log(
      `seeded ${N} employees, ${seeded.workDays} work days, ${seeded.punches} punches, ${seeded.leaves} leaves in ${s(seedMs)} s`,
    );
  }
  const reads: number[] = [];
  const months: number[] = [];
  const rules: number[] = [];
  const writes: number[] = [];
  const disciplines: number[] = [];
  let cases = 0;
  for (let r = 0; r < ROUNDS; r++) {
    t = performance.now();
    const inputs = await close.read(MONTH);
    reads.push(performance.now() - t);
    if (inputs.employees.length !== N) throw new Error(`read ${inputs.employees.length} employees`);
    t = performance.now();
    const out = await attendance.allowance.close(MONTH, undefined);
    months.push(performance.now() - t);
    rules.push(out.timings.rulesMs);
    writes.push(out.timings.writeMs);
    disciplines.push(out.timings.disciplineMs);
    cases += out.casesOpened;
    if (!a.json) {
      console.log(
        `round ${r + 1}: read ${s(reads[r] as number)} s; month close ${s(months[r] as number)} s ` +
          `(read ${s(out.timings.readMs)} + rules ${s(out.timings.rulesMs)} + write ${s(out.timings.writeMs)}` +
          ` + discipline ${s(out.timings.disciplineMs)})`,
      );
    }
  }
  // The recompute path (what a wave of morning punches triggers): every employee, 3 dates,
  // nothing changed since the close, so it is the read-and-compare cost.
  const wave = createAttendance(db, { log: () => log, debounceMs: 0, sqliteFile: file });
  const dates = datesOfMonth(MONTH).slice(14, 17);
  const employees = await close.read(MONTH);
  t = performance.now();
  await wave.recompute.recomputeNow(employees.employees.map((e) => ({ employeeId: e.nip, dates })));
  const waveMs = performance.now() - t;
  await wave.stop();
  await attendance.stop();
  if (!a.json) {
    console.log(
      `recompute path: ${N} employees × ${dates.length} dates in ${s(waveMs)} s (${wave.recompute.stats.written} written)`,
    );
  }
  // For scale: the same punches read the plain way, one row each through Prisma.
  t = performance.now();
  const dates0 = datesOfMonth(MONTH);
  const rowRead = await database.prisma.attendanceEvent.findMany({
    where: {
      capturedAt: {
        gte: new Date(`${addDays(dates0[0] as string, -2)}T00:00:00Z`),
        lt: new Date(`${addDays(dates0.at(-1) as string, 3)}T00:00:00Z`),
      },
    },
    select: { employeeId: true, capturedAt: true },
  });
  const rowReadMs = performance.now() - t;
  if (!a.json) console.log(`plain read of ${rowRead.length} punch rows through Prisma: ${s(rowReadMs)} s`);
  const stored = await database.prisma.dailyRecord.count();
  const payable = await database.prisma.monthlyAllowance.aggregate({
    where: { month: MONTH },
    _sum: { payableAmount: true },
  });
  await database.close();
  const result = {
    bench: 'rules',
    db: 'sqlite',
    month: MONTH,
    employees: N,
    workDays: seeded.workDays,
    punches: seeded.punches,
    leaves: seeded.leaves,
    storedDayRecords: stored,
    payableTotal: payable._sum.payableAmount,
    casesOpened: cases,
    rounds: ROUNDS,
    monthSeconds: s(median(months)),
    readSeconds: s(median(reads)),
    rulesSeconds: s(median(rules)),
    writeSeconds: s(median(writes)),
    disciplineSeconds: s(median(disciplines)),
    monthToRead: Number(median(months.map((m, i) => m / (reads[i] as number))).toFixed(2)),
    rulesToRead: Number(median(rules.map((r, i) => r / (reads[i] as number))).toFixed(2)),
    rulesToReadRounds: rules.map((r, i) => Number((r / (reads[i] as number)).toFixed(2))),
    recomputeDays: N * dates.length,
    recomputeSeconds: s(waveMs),
    /** Days the recompute path found different from the close's: 0 = both paths agree. */
    recomputeWritten: wave.recompute.stats.written,
    rowReadSeconds: s(rowReadMs),
    loadAverage: [Number(loadBefore.toFixed(2)), Number((loadavg()[0] as number).toFixed(2))],
  };
  if (!a.json) {
    console.log(
      `median: month close ${result.monthSeconds} s, read ${result.readSeconds} s, rules ${result.rulesSeconds} s, ` +
        `write ${result.writeSeconds} s; month/read ${result.monthToRead}, rules/read ${result.rulesToRead}`,
    );
  }
  console.log(JSON.stringify(result));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
