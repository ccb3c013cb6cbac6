import type { Db } from './db.ts';

export type UnitRow = {
  id: string;
  name: string;
  parentId: string | null;
  code: string | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
};

export type UnitChange = {
  name?: string | undefined;
  parentId?: string | null | undefined;
  code?: string | null | undefined;
};

/** What still refers to a unit (each: whether any row does): a unit in use is deactivated, never deleted. */
export type UnitUsage = {
  subUnits: boolean;
  employees: boolean;
  users: boolean;
  scheduleAssignments: boolean;
  dailyRecords: boolean;
  allowances: boolean;
  disciplineCases: boolean;
  profileAssignments: boolean;
};

const COLUMNS = {
  id: true,
  name: true,
  parentId: true,
  code: true,
  active: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** The unit table (the organisation tree). */
export class UnitRepository {
  constructor(private readonly db: Db) {}

  /** Every unit, in one query (the tree is small: a province has a few thousand units at most). */
  list(): Promise<UnitRow[]> {
    return this.db.prisma.unit.findMany({ select: COLUMNS, orderBy: [{ name: 'asc' }, { id: 'asc' }] });
  }

  find(id: string): Promise<UnitRow | null> {
    return this.db.prisma.unit.findUnique({ where: { id }, select: COLUMNS });
  }

  create(data: { id: string; name: string; parentId: string | null; code: string | null }): Promise<UnitRow> {
    return this.db.prisma.unit.create({ data, select: COLUMNS });
  }

  update(id: string, data: UnitChange): Promise<UnitRow> {
    return this.db.prisma.unit.update({ where: { id }, data, select: COLUMNS });
  }

  async setActive(ids: readonly string[], active: boolean): Promise<number> {
    const r = await this.db.prisma.unit.updateMany({ where: { id: { in: [...ids] } }, data: { active } });
    return r.count;
  }

  /** One row looked up per table (not counted: daily_record has millions of rows and no unit-first index). */
  async usage(id: string): Promise<UnitUsage> {
    const p = this.db.prisma;
    const any = (row: Promise<unknown>) => row.then((r) => r !== null);
    const [
      subUnits,
      employees,
      users,
      scheduleAssignments,
      dailyRecords,
      allowances,
      disciplineCases,
      profileAssignments,
    ] = await Promise.all([
      any(p.unit.findFirst({ where: { parentId: id }, select: { id: true } })),
      any(p.employee.findFirst({ where: { unitId: id }, select: { nip: true } })),
      any(p.adminUser.findFirst({ where: { unitId: id }, select: { id: true } })),
      any(p.scheduleAssignment.findFirst({ where: { unitId: id }, select: { id: true } })),
      any(p.dailyRecord.findFirst({ where: { unitId: id }, select: { employeeId: true } })),
      any(p.monthlyAllowance.findFirst({ where: { unitId: id }, select: { employeeId: true } })),
      any(p.disciplineCase.findFirst({ where: { unitId: id }, select: { id: true } })),
      any(p.profileAssignment.findFirst({ where: { unitId: id }, select: { id: true } })),
    ]);
    return {
      subUnits,
      employees,
      users,
      scheduleAssignments,
      dailyRecords,
      allowances,
      disciplineCases,
      profileAssignments,
    };
  }

  async delete(id: string): Promise<void> {
    await this.db.prisma.unit.delete({ where: { id } });
  }
}
