/**
 * PunchRepository.instants (the recompute's read of punches, grouped by the database into one
 * row per employee) on a real SQLite file and, with PG_TEST_URL, a PostgreSQL database of its own:
 * the same instants, to the millisecond, as the stored rows read one by one through Prisma, in
 * [from, to), for more employees than one chunk of the query.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PunchRepository } from '../../backend/attendance/punch.repository.ts';
import { type Database, migrateDatabase, openDatabase } from '../../backend/db/database.ts';
import { createPgDatabase, type DbKind } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';

const FROM = new Date('2026-11-29T17:00:00.000Z'); // Monday 30 November 00:00 WIB
const TO = new Date('2026-12-01T17:00:00.000Z'); // Wednesday 2 December 00:00 WIB
const EMPLOYEES = 620; // more than one chunk (500) of the query
const nip = (i: number) => `1990${String(i).padStart(14, '0')}`;

describeEachDb('PunchRepository.instants on %s', (kind: DbKind) => {
  let db: Database;
  let url: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'absensi-instants-'));

  beforeAll(async () => {
    url = kind === 'sqlite' ? `file:${path.join(dir, 'instants.db')}` : await createPgDatabase();
    await migrateDatabase(url);
    db = await openDatabase(url);
    const rows = [];
    let seq = 0;
    for (let i = 0; i < EMPLOYEES; i++) {
      // Odd milliseconds, the range's edges, and punches outside it; every 7th employee none inside.
      const ats =
        i % 7 === 0
          ? [FROM.getTime() - 1, TO.getTime()]
          : [FROM.getTime(), FROM.getTime() + 8 * 3_600_000 + i * 1_001 + 7, TO.getTime() - 1, TO.getTime()];
      for (const at of ats) {
        seq++;
        rows.push({
          id: `e${seq}`,
          terminalId: 'k1',
          seq,
          employeeId: nip(i),
          method: 'face',
          capturedAt: new Date(at),
          receivedAt: new Date(at + 500),
          clockSynced: true,
          skewMs: 500,
        });
      }
    }
    await db.prisma.attendanceEvent.createMany({ data: rows });
  });
  afterAll(async () => {
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
    if (kind === 'postgresql') {
      const c = new pg.Client({ connectionString: process.env.PG_TEST_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`);
      await c.end();
    }
  });

  it('gives the stored instants in [from, to) per employee, as Prisma reads the rows', async () => {
    const asked = Array.from({ length: EMPLOYEES }, (_, i) => nip(i)).concat(['199999999999999999']);
    const got = await new PunchRepository(db).instants(asked, FROM, TO);
    const rows = await db.prisma.attendanceEvent.findMany({
      where: { capturedAt: { gte: FROM, lt: TO } },
      select: { employeeId: true, capturedAt: true },
    });
    const expected = new Map<string, number[]>();
    for (const r of rows)
      expected.set(r.employeeId, [...(expected.get(r.employeeId) ?? []), r.capturedAt.getTime()]);
    const sorted = (m: Map<string, number[]>) =>
      [...m].map(([k, v]) => [k, [...v].sort((a, b) => a - b)] as const).sort(([a], [b]) => (a < b ? -1 : 1));
    expect(sorted(got)).toEqual(sorted(expected));
    // Spot checks against the data as written, not only against Prisma.
    expect(got.size).toBe(EMPLOYEES - Math.ceil(EMPLOYEES / 7));
    expect(got.has(nip(0))).toBe(false);
    expect([...(got.get(nip(613)) ?? [])].sort((a, b) => a - b)).toEqual([
      FROM.getTime(),
      FROM.getTime() + 8 * 3_600_000 + 613 * 1_001 + 7,
      TO.getTime() - 1,
    ]);
  });
});
