import { randomUUID } from 'node:crypto';
import type { Db } from '../repositories/db.ts';
import type { DatedFields, FactsVersion } from './rules-config.repository.ts';

export type PersonRow = DatedFields & {
  nip: string;
  name: string;
  kind: string;
  active: boolean;
  startDate: string | null;
  endDate: string | null;
  endReason: string | null;
  createdAt: Date;
  updatedAt: Date;
};

export type StoredVersion = FactsVersion & { createdBy: string | null; createdAt: Date };

export type PersonPatch = Partial<
  Pick<PersonRow, 'name' | 'kind' | 'active' | 'startDate' | 'endDate' | 'endReason'> & DatedFields
>;

const VERSION = {
  effectiveFrom: true,
  unitId: true,
  siteId: true,
  superiorNip: true,
  baseAmount: true,
  positionClass: true,
  createdBy: true,
  createdAt: true,
} as const;

/** An employee, their employment period and their dated history (employee_assignment). */
/** An employee row as the people service reads it. */
const PERSON = {
  nip: true,
  name: true,
  kind: true,
  active: true,
  startDate: true,
  endDate: true,
  endReason: true,
  createdAt: true,
  updatedAt: true,
  unitId: true,
  siteId: true,
  superiorNip: true,
  baseAmount: true,
  positionClass: true,
} as const;

export class PeopleRepository {
  constructor(private readonly db: Db) {}

  find(nip: string): Promise<PersonRow | null> {
    return this.db.prisma.employee.findUnique({
      where: { nip },
      select: PERSON,
    });
  }

  history(nip: string): Promise<StoredVersion[]> {
    return this.db.prisma.employeeAssignment.findMany({
      where: { nip },
      select: VERSION,
      orderBy: { effectiveFrom: 'asc' },
    });
  }

  /**
   * Replaces the employee's history with `versions` (kept rows keep their author and time when
   * unchanged) and updates the row (the values in force today, the period), in one transaction.
   */
  async save(
    nip: string,
    patch: PersonPatch,
    versions: readonly FactsVersion[] | null,
    by: string | null,
  ): Promise<void> {
    const p = this.db.prisma;
    if (versions === null) {
      await p.employee.update({ where: { nip }, data: patch });
      return;
    }
    const old = new Map((await this.history(nip)).map((v) => [v.effectiveFrom, v]));
    await p.$transaction([
      p.employeeAssignment.deleteMany({ where: { nip } }),
      p.employeeAssignment.createMany({
        data: versions.map((v) => {
          const before = old.get(v.effectiveFrom);
          const same = before !== undefined && sameVersion(before, v);
          return {
            id: randomUUID(),
            nip,
            effectiveFrom: v.effectiveFrom,
            unitId: v.unitId,
            siteId: v.siteId,
            superiorNip: v.superiorNip,
            baseAmount: v.baseAmount,
            positionClass: v.positionClass,
            createdBy: same ? before.createdBy : by,
            ...(same ? { createdAt: before.createdAt } : {}),
          };
        }),
      }),
      p.employee.update({ where: { nip }, data: patch }),
    ]);
  }

  /**
   * Employees whose row may fall behind the calendar: an active one with an end date, or one with
   * a dated history (a change may have come into force since).
   */
  async toSync(): Promise<Array<PersonRow & { assignments: FactsVersion[] }>> {
    const nips = (
      await this.db.prisma.employee.findMany({
        where: { OR: [{ active: true, endDate: { not: null } }, { assignments: { some: {} } }] },
        select: { nip: true },
        orderBy: { nip: 'asc' },
      })
    ).map((r) => r.nip);
    // 500 at a time: Prisma loads the histories with one parameter per employee (a region's worth
    // in one query exceeds the database's parameter limit).
    const out: Array<PersonRow & { assignments: FactsVersion[] }> = [];
    for (let i = 0; i < nips.length; i += 500) out.push(...(await this.syncRows(nips.slice(i, i + 500))));
    return out;
  }

  private syncRows(nips: string[]): Promise<Array<PersonRow & { assignments: FactsVersion[] }>> {
    return this.db.prisma.employee.findMany({
      where: { nip: { in: nips } },
      orderBy: { nip: 'asc' },
      select: {
        ...PERSON,
        assignments: {
          select: {
            effectiveFrom: true,
            unitId: true,
            siteId: true,
            superiorNip: true,
            baseAmount: true,
            positionClass: true,
          },
          orderBy: { effectiveFrom: 'asc' },
        },
      },
    });
  }

  async siteZones(): Promise<Map<string, string>> {
    const rows = await this.db.prisma.site.findMany({ select: { id: true, timeZone: true } });
    return new Map(rows.map((r) => [r.id, r.timeZone]));
  }

  /** Whether the unit exists, and whether it is active (a deactivated unit takes no one new). */
  async unitState(id: string): Promise<'active' | 'deactivated' | 'unknown'> {
    const u = await this.db.prisma.unit.findUnique({ where: { id }, select: { active: true } });
    return u === null ? 'unknown' : u.active ? 'active' : 'deactivated';
  }

  async siteZone(id: string): Promise<string | null> {
    const s = await this.db.prisma.site.findUnique({ where: { id }, select: { timeZone: true } });
    return s?.timeZone ?? null;
  }

  async employeeExists(nip: string): Promise<boolean> {
    return (await this.db.prisma.employee.count({ where: { nip } })) > 0;
  }
}

function sameVersion(a: FactsVersion, b: FactsVersion): boolean {
  return (
    a.unitId === b.unitId &&
    a.siteId === b.siteId &&
    a.superiorNip === b.superiorNip &&
    a.baseAmount === b.baseAmount &&
    a.positionClass === b.positionClass
  );
}
