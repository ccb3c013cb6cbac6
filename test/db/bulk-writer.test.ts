/**
 * The rules' bulk writers on a real SQLite file: `writeEach` (the month close hands the writer one
 * chunk of employees at a time) commits every part in one transaction, and a part that throws
 * leaves the database as it was (a refused month lock writes nothing).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type BulkWrite,
  type BulkWriter,
  JsonBulkWriter,
} from '../../backend/attendance/bulk-writer.repository.ts';
import type { StoredDay } from '../../backend/attendance/daily-record.mapper.ts';
import { SqliteBulkWriter } from '../../backend/attendance/sqlite-bulk-writer.repository.ts';
import { type Database, migrateDatabase, openDatabase } from '../../backend/db/database.ts';

const AT = Date.UTC(2026, 7, 1);

function day(employeeId: string, workDate: string, status: StoredDay['status'] = 'Present'): StoredDay {
  return {
    employeeId,
    workDate,
    unitId: 'opd-1',
    status,
    codes: status === 'Absent' ? 'TK' : '',
    lateMinutes: status === 'Absent' ? null : 0,
    earlyMinutes: status === 'Absent' ? null : 0,
    deductionBp: status === 'Absent' ? 300 : 0,
    arrival: null,
    departure: null,
    provisional: false,
    detail: { scheduleId: 'default', offsetMinutes: 420 },
    profileId: 'default',
    profileVersion: 1,
  };
}

/** `next` for writeEach over these parts (then null); throws instead of returning part `failAt`. */
function parts(list: BulkWrite[], failAt = -1): () => BulkWrite | null {
  let i = 0;
  return () => {
    if (i === failAt) throw new Error('refused');
    return list[i++] ?? null;
  };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'absensi-bulk-writer-'));
const file = path.join(dir, 'bulk.db');
let db: Database;
const writers: Array<[string, () => BulkWriter]> = [
  ['SqliteBulkWriter', () => new SqliteBulkWriter(file)],
  ['JsonBulkWriter', () => new JsonBulkWriter(db)],
];

beforeAll(async () => {
  await migrateDatabase(`file:${file}`);
  db = await openDatabase(`file:${file}`);
});
afterAll(async () => {
  await db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(writers)('%s.writeEach', (_name, make) => {
  const rows = async () =>
    (
      await db.prisma.dailyRecord.findMany({
        select: { employeeId: true, workDate: true, status: true },
        orderBy: [{ employeeId: 'asc' }, { workDate: 'asc' }],
      })
    ).map((r) => `${r.employeeId} ${r.workDate} ${r.status}`);

  it('writes every part, removals included, in one go', async () => {
    await db.prisma.dailyRecord.deleteMany();
    const w = make();
    try {
      await w.write({ days: [day('E1', '2026-07-04')], at: AT });
      await w.writeEach(
        parts([
          { days: [day('E1', '2026-07-01'), day('E1', '2026-07-02', 'Absent')], at: AT },
          { days: [day('E2', '2026-07-01')], at: AT },
          { deleteDays: [{ employeeIds: ['E1', 'E2'], dates: ['2026-07-04'] }], at: AT },
        ]),
      );
      expect(await rows()).toEqual([
        'E1 2026-07-01 Present',
        'E1 2026-07-02 Absent',
        'E2 2026-07-01 Present',
      ]);
    } finally {
      w.close();
    }
  });

  it('writes nothing when a part throws', async () => {
    await db.prisma.dailyRecord.deleteMany();
    const w = make();
    try {
      await w.write({ days: [day('E1', '2026-07-01')], at: AT });
      const write = w.writeEach(
        parts(
          [
            { days: [day('E1', '2026-07-01', 'Absent'), day('E1', '2026-07-02')], at: AT },
            { days: [day('E2', '2026-07-01')], at: AT },
          ],
          2,
        ),
      );
      await expect(write).rejects.toThrow('refused');
      expect(await rows()).toEqual(['E1 2026-07-01 Present']);
    } finally {
      w.close();
    }
  });
});
