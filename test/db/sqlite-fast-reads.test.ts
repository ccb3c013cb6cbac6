/**
 * The recompute's reads on the SQLite hot path's own connection (sqlite-connection.ts) give what
 * the same repositories give through Prisma, on a real SQLite file: stored days (instants, nulls,
 * booleans and the detail JSON included), working-day statuses, punch instants at the range's
 * edges, corrections in their order, leave, discipline cases, locked allowances and the
 * ingest's look-up of known NIPs. Rows are written through Prisma and through the shared
 * connection's bulk writer, so both write paths are read back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AllowanceRepository } from '../../backend/attendance/allowance.repository.ts';
import type { StoredDay } from '../../backend/attendance/daily-record.mapper.ts';
import { DailyRecordRepository } from '../../backend/attendance/daily-record.repository.ts';
import { LeaveRepository } from '../../backend/attendance/leave.repository.ts';
import { PunchRepository } from '../../backend/attendance/punch.repository.ts';
import { SqliteBulkWriter } from '../../backend/attendance/sqlite-bulk-writer.repository.ts';
import { type Database, migrateDatabase, openDatabase } from '../../backend/db/database.ts';
import { EventRepository } from '../../backend/repositories/event.repository.ts';
import { SqliteConnection } from '../../backend/repositories/sqlite-connection.ts';
import { SqliteEventWriter } from '../../backend/repositories/sqlite-event-writer.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'absensi-fast-reads-'));
const file = path.join(dir, 'fast.db');
let db: Database;
let conn: SqliteConnection;
const nip = (i: number) => `1990${String(i).padStart(14, '0')}`;
const FROM = new Date('2026-11-29T17:00:00.000Z');
const TO = new Date('2026-12-01T17:00:00.000Z');
const STATUSES: StoredDay['status'][] = ['Present', 'Absent', 'OffDay', 'Holiday', 'Pending'];

function day(i: number, workDate: string): StoredDay {
  const absent = i % 3 === 1;
  return {
    employeeId: nip(i),
    workDate,
    unitId: `opd-${i % 4}`,
    status: STATUSES[i % STATUSES.length] as StoredDay['status'],
    codes: absent ? 'TK' : i % 2 === 0 ? 'TL1 PSW2' : '',
    lateMinutes: absent ? null : i % 50,
    earlyMinutes: absent ? null : 0,
    deductionBp: absent ? 300 : i,
    arrival: absent ? null : Date.parse(`${workDate}T00:${String(i % 60).padStart(2, '0')}:07.123Z`),
    departure: i % 2 === 0 ? null : Date.parse(`${workDate}T09:30:00.999Z`),
    provisional: i % 5 === 0,
    detail: { scheduleId: 'default', offsetMinutes: 420, ...(i % 2 === 0 ? { scheduledStart: 450 } : {}) },
    profileId: 'default',
    profileVersion: 1 + (i % 2),
  };
}

beforeAll(async () => {
  await migrateDatabase(`file:${file}`);
  db = await openDatabase(`file:${file}`);
  conn = new SqliteConnection(file);
  // Half the days through Prisma's connection (as the JSON writer stores them), half through the fast one.
  const viaFast = new SqliteBulkWriter(conn);
  const dates = ['2026-11-30', '2026-12-01', '2026-12-02'];
  const days = Array.from({ length: 120 }, (_, i) => dates.map((d) => day(i, d))).flat();
  await viaFast.write({ days: days.filter((_, k) => k % 2 === 0), at: Date.UTC(2026, 11, 2, 1, 2, 3, 4) });
  await db.prisma.dailyRecord.createMany({
    data: days
      .filter((_, k) => k % 2 === 1)
      .map((d) => ({
        ...d,
        arrival: d.arrival === null ? null : new Date(d.arrival),
        departure: d.departure === null ? null : new Date(d.departure),
        detail: JSON.stringify(d.detail),
        computedAt: new Date(Date.UTC(2026, 11, 2, 5, 6, 7, 8)),
      })),
  });
  const events = new SqliteEventWriter(conn);
  let seq = 0;
  const ats = (i: number) => [
    FROM.getTime() - 1,
    FROM.getTime(),
    FROM.getTime() + i * 1_001 + 7,
    TO.getTime(),
  ];
  events.insertEvents(
    Array.from({ length: 120 }, (_, i) =>
      ats(i).map((at) => ({
        id: `e${++seq}`,
        terminalId: 'k1',
        seq,
        employeeId: nip(i),
        method: 'face',
        capturedAt: new Date(at),
        receivedAt: new Date(at + 500),
        score: null,
        distance: null,
        clockSynced: true,
        clockOffsetMs: null,
        skewMs: 500,
        liveness: null,
        unknownEmployee: false,
        clockSkew: false,
      })),
    ).flat(),
  );
  for (let i = 0; i < 30; i++) {
    await db.prisma.punchCorrection.create({
      data: {
        id: `c${String(i).padStart(3, '0')}`,
        employeeId: nip(i % 10),
        action: i % 2 === 0 ? 'Add' : 'Void',
        punchAt: new Date(FROM.getTime() + (i % 3 === 0 ? 0 : i * 60_000)),
        eventId: i % 4 === 0 ? `e${i + 1}` : null,
        reason: `r${i}`,
        createdBy: 'admin',
        createdAt: new Date(Date.UTC(2026, 11, 3) + (30 - i) * 1000),
      },
    });
  }
});
afterAll(async () => {
  conn?.close();
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const byKey = <T extends { employeeId: string; workDate: string }>(rows: T[]) =>
  [...rows].sort((a, b) => (`${a.employeeId}|${a.workDate}` < `${b.employeeId}|${b.workDate}` ? -1 : 1));

it('stored days and working-day statuses: the same as through Prisma', async () => {
  const nips = Array.from({ length: 130 }, (_, i) => nip(i)); // ten of them have no day
  const prisma = new DailyRecordRepository(db);
  const fast = new DailyRecordRepository(db, conn);
  const expected = byKey(await prisma.forEmployees(nips, '2026-12-01', '2026-12-02'));
  expect(expected).toHaveLength(240);
  expect(expected.some((d) => d.arrival !== null && d.arrival % 1000 === 123)).toBe(true);
  expect(byKey(await fast.forEmployees(nips, '2026-12-01', '2026-12-02'))).toEqual(expected);
  const statuses = byKey(await prisma.workingDayStatuses(nips, '2026-11-30', '2026-12-01'));
  expect(statuses.length).toBeGreaterThan(0);
  expect(statuses.every((s) => s.status !== 'OffDay' && s.status !== 'Holiday')).toBe(true);
  expect(byKey(await fast.workingDayStatuses(nips, '2026-11-30', '2026-12-01'))).toEqual(statuses);
});

it('punch instants in [from, to) and corrections in order: the same as through Prisma', async () => {
  const nips = Array.from({ length: 125 }, (_, i) => nip(i));
  const prisma = new PunchRepository(db);
  const fast = new PunchRepository(db, conn);
  const expected = await prisma.instants(nips, FROM, TO);
  expect(expected.size).toBe(120);
  expect(expected.get(nip(3))).toEqual([FROM.getTime(), FROM.getTime() + 3 * 1_001 + 7]);
  const got = await fast.instants(nips, FROM, TO);
  const sorted = (m: Map<string, number[]>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
  expect(sorted(got)).toEqual(sorted(expected));
  const corrections = await prisma.corrections(nips.slice(0, 7), FROM, TO);
  expect(corrections.length).toBeGreaterThan(5);
  expect(await fast.corrections(nips.slice(0, 7), FROM, TO)).toEqual(corrections);
});

it('leave, discipline cases and locked employees: the same as through Prisma', async () => {
  for (let i = 0; i < 12; i++) {
    await db.prisma.leaveRequest.create({
      data: {
        id: `l${String(i).padStart(2, '0')}`,
        employeeId: nip(i % 4),
        kind: i % 2 ? 'AnnualLeave' : 'SickLeave',
        dateFrom: `2026-11-${String(20 + i).padStart(2, '0')}`,
        dateTo: `2026-11-${String(22 + i).padStart(2, '0')}`,
        part: i % 3 ? 'FullDay' : 'LateArrival',
        approval: i % 2 ? 'Approved' : 'Pending',
        documented: i % 2 === 0,
        note: i % 2 ? null : `n${i}`,
        decidedBy: i % 2 ? 'admin' : null,
        decidedAt: i % 2 ? new Date(Date.UTC(2026, 10, 1, 0, 0, i, 5)) : null,
      },
    });
    await db.prisma.disciplineCase.create({
      data: {
        id: `d${i}`,
        employeeId: nip(i % 5),
        unitId: 'opd-1',
        year: 2026 + (i % 2),
        threshold: `Cumulative:${i + 3}`,
        level: 'Light',
        sanction: 'VerbalReprimand',
        label: 'x',
        tkDays: i,
        longestRun: i % 4,
        superiorNip: i % 3 ? nip(99) : null,
        notify: JSON.stringify([{ to: 'Bkd' }]),
        reviewNeeded: i % 2 === 0,
        decidedAt: i % 3 ? null : new Date(Date.UTC(2026, 11, 1, 2, 3, 4, i)),
        openedAt: new Date(Date.UTC(2026, 10, 1, 0, 0, 0, i)),
      },
    });
    await db.prisma.monthlyAllowance.create({
      data: {
        employeeId: nip(i),
        month: i % 2 ? '2026-11' : '2026-10',
        unitId: 'opd-1',
        baseAmount: 1,
        totalBp: 0,
        deductionAmount: 0,
        payableAmount: 1,
        detail: '{}',
        computedAt: new Date(),
        locked: i % 3 !== 0,
      },
    });
  }
  const nips = Array.from({ length: 6 }, (_, i) => nip(i));
  const leaves = await new LeaveRepository(db).byEmployee(nips, '2026-11-23', '2026-11-28');
  expect([...leaves.values()].flat().length).toBeGreaterThan(4);
  expect(await new LeaveRepository(db, conn).byEmployee(nips, '2026-11-23', '2026-11-28')).toEqual(leaves);
  const locked = await new AllowanceRepository(db).lockedEmployees('2026-11');
  expect(locked.size).toBe(4);
  expect(await new AllowanceRepository(db, conn).lockedEmployees('2026-11')).toEqual(locked);
});

it("the ingest's look-up of known NIPs: the same as through Prisma", async () => {
  await db.prisma.unit.create({ data: { id: 'u1', name: 'Unit 1' } });
  for (let i = 0; i < 5; i++) {
    await db.prisma.employee.create({ data: { nip: nip(i), name: `E${i}`, unitId: 'u1', active: i !== 3 } });
  }
  const asked = [nip(0), nip(2), nip(3), nip(7), 'x'];
  const expected = await new EventRepository(db).knownEmployees(asked);
  expect([...expected].sort()).toEqual([nip(0), nip(2), nip(3)]);
  expect(await new EventRepository(db, new SqliteEventWriter(conn)).knownEmployees(asked)).toEqual(expected);
});
