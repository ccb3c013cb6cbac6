/**
 * A region's worth of employees (10,000, each with a dated history) read in one go by the day close
 * and its sync: the histories used to be loaded by Prisma with one parameter per employee, which
 * exceeded the database's limit, so the day close failed for a province (found by bench:ingest).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PeopleRepository } from '../../backend/attendance/people.repository.ts';
import { RulesConfigRepository } from '../../backend/attendance/rules-config.repository.ts';
import { type Database, migrateDatabase, openDatabase } from '../../backend/db/database.ts';
import { createPgDatabase, type DbKind } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';

const EMPLOYEES = 10_000;
const nip = (i: number) => `1980${String(i).padStart(14, '0')}`;

describeEachDb('reads over a region of 10,000 employees on %s', (kind: DbKind) => {
  let db: Database;
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'att-region-'));
    const url = kind === 'sqlite' ? `file:${path.join(dir, 'region.db')}` : await createPgDatabase();
    await migrateDatabase(url);
    db = await openDatabase(url);
    await db.prisma.unit.create({ data: { id: 'opd', name: 'OPD' } });
    const all = Array.from({ length: EMPLOYEES }, (_, i) => i);
    for (let i = 0; i < EMPLOYEES; i += 1000) {
      const part = all.slice(i, i + 1000);
      await db.prisma.employee.createMany({
        data: part.map((k) => ({ nip: nip(k), name: `P${k}`, unitId: 'opd', startDate: '2020-01-01' })),
      });
      await db.prisma.employeeAssignment.createMany({
        data: part.map((k) => ({ id: `a${k}`, nip: nip(k), effectiveFrom: '2025-01-01', unitId: 'opd' })),
      });
    }
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it('gives every employee with its history to the day close, the site’s kiosks and the sync', async () => {
    const config = new RulesConfigRepository(db);
    const active = await config.activeEmployees(undefined, '2026-12-01');
    expect(active).toHaveLength(EMPLOYEES);
    expect(active[0]?.nip).toBe(nip(0));
    expect(active.at(-1)?.history).toHaveLength(1);
    expect(await config.activeEmployeesOfSite('default')).toHaveLength(EMPLOYEES);
    expect(await new PeopleRepository(db).toSync()).toHaveLength(EMPLOYEES);
  }, 120_000);
});
