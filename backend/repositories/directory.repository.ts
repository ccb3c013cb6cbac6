import type { Db } from './db.ts';

export type EmployeeCreateRow = {
  nip: string;
  name: string;
  kind: string;
  unitId: string;
  active: boolean;
  startDate: string;
  endDate?: string | undefined;
  endReason?: string | undefined;
  siteId?: string | undefined;
  superiorNip?: string | undefined;
  positionClass?: number | undefined;
  baseAmount?: number | undefined;
};

export type EmployeeFilter = {
  /** One unit, or any of these units; none: everybody. */
  unitIds?: readonly string[] | undefined;
  /** Part of the name, or the start of the NIP. */
  q?: string | undefined;
  take: number;
};

/** Units and employees. */
export class DirectoryRepository {
  constructor(private readonly db: Db) {}

  /** Creates the unit unless it exists (an existing one is left as it is). */
  async ensureUnit(id: string, name: string): Promise<void> {
    await this.db.prisma.unit.upsert({ where: { id }, update: {}, create: { id, name } });
  }

  findUnit(id: string) {
    return this.db.prisma.unit.findUnique({ where: { id } });
  }

  /** Throws Prisma's P2002 when the NIP exists. */
  createEmployee(data: EmployeeCreateRow) {
    return this.db.prisma.employee.create({ data });
  }

  listEmployees(f: EmployeeFilter) {
    return this.db.prisma.employee.findMany({
      where: {
        ...(f.unitIds ? { unitId: { in: [...f.unitIds] } } : {}),
        ...(f.q ? { OR: [{ name: { contains: f.q } }, { nip: { startsWith: f.q } }] } : {}),
      },
      orderBy: { name: 'asc' },
      take: f.take,
    });
  }

  async nipsInUnits(unitIds: readonly string[]): Promise<string[]> {
    const rows = await this.db.prisma.employee.findMany({
      where: { unitId: { in: [...unitIds] } },
      select: { nip: true },
    });
    return rows.map((r) => r.nip);
  }

  /** The home sites of the employees of these units (null: the default site, given as `defaultSite`). */
  async siteIdsOfUnits(unitIds: readonly string[], defaultSite: string): Promise<string[]> {
    const rows = await this.db.prisma.employee.findMany({
      where: { unitId: { in: [...unitIds] } },
      select: { siteId: true },
      distinct: ['siteId'],
    });
    return [...new Set(rows.map((r) => r.siteId ?? defaultSite))];
  }

  /** An employee's unit; null when there is no such employee. */
  async unitOf(nip: string): Promise<string | null> {
    const e = await this.db.prisma.employee.findUnique({ where: { nip }, select: { unitId: true } });
    return e?.unitId ?? null;
  }
}
