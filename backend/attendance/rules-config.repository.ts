import type { Dated, IsoDate, ProfileAssignment } from '../domain/index.ts';
import type { Db } from '../repositories/db.ts';
import { DEFAULT_SITE } from './rules-context.ts';

/** The effective-dated facts of an employee (employee_assignment). */
export type DatedFields = {
  unitId: string;
  siteId: string | null;
  superiorNip: string | null;
  baseAmount: number | null;
  positionClass: number | null;
};
export type FactsVersion = Dated<DatedFields>;

/**
 * What the rules need to know about an employee. The top-level dated fields are those in force
 * today; `history` (ascending, empty when never changed by date) holds every version: use
 * `factsOn(e, date)` (rules-context.ts) for a given day.
 */
export type EmployeeFacts = DatedFields & {
  nip: string;
  name: string;
  active: boolean;
  startDate: IsoDate | null;
  endDate: IsoDate | null;
  history: readonly FactsVersion[];
};

export type StoredProfile = {
  id: string;
  version: number;
  name: string;
  effectiveFrom: string;
  definition: string;
  createdBy: string | null;
  createdAt: Date;
};

const DATED = {
  unitId: true,
  siteId: true,
  superiorNip: true,
  baseAmount: true,
  positionClass: true,
} as const;

const FACTS = {
  nip: true,
  name: true,
  active: true,
  startDate: true,
  endDate: true,
  ...DATED,
  assignments: { select: { effectiveFrom: true, ...DATED }, orderBy: { effectiveFrom: 'asc' } },
} as const;

type FactsRow = Omit<EmployeeFacts, 'history'> & { assignments: FactsVersion[] };

function toFacts({ assignments, ...e }: FactsRow): EmployeeFacts {
  return { ...e, history: assignments };
}

/** Employees who may have working days on or after `from`: active ones, and those who left since. */
function inServiceSince(from: IsoDate | undefined) {
  return from === undefined ? { active: true } : { OR: [{ active: true }, { endDate: { gte: from } }] };
}

/** Policy profiles, position-class amounts, units, sites, terminal statuses and employee facts. */
export class RulesConfigRepository {
  constructor(private readonly db: Db) {}

  profiles(): Promise<StoredProfile[]> {
    return this.db.prisma.policyProfile.findMany({ orderBy: [{ effectiveFrom: 'asc' }, { version: 'asc' }] });
  }

  /** Policy profile lineages assigned to units (profile_assignment). */
  async profileAssignments(): Promise<ProfileAssignment[]> {
    const rows = await this.db.prisma.profileAssignment.findMany({
      select: { id: true, unitId: true, profileId: true, effectiveFrom: true, effectiveTo: true },
      orderBy: [{ effectiveFrom: 'asc' }, { id: 'asc' }],
    });
    return rows.map((r) => ({
      ...r,
      effectiveFrom: r.effectiveFrom as IsoDate,
      effectiveTo: r.effectiveTo as IsoDate | null,
    }));
  }

  async insertProfile(p: Omit<StoredProfile, 'createdAt'>): Promise<void> {
    await this.db.prisma.policyProfile.create({ data: p });
  }

  async deleteProfile(id: string, version: number): Promise<void> {
    await this.db.prisma.policyProfile.deleteMany({ where: { id, version } });
  }

  async positionAmounts(): Promise<Map<number, number>> {
    const rows = await this.db.prisma.positionClassAmount.findMany({ orderBy: { positionClass: 'asc' } });
    return new Map(rows.map((r) => [r.positionClass, r.amount]));
  }

  async setPositionAmount(positionClass: number, amount: number): Promise<void> {
    await this.db.prisma.positionClassAmount.upsert({
      where: { positionClass },
      create: { positionClass, amount },
      update: { amount },
    });
  }

  units(): Promise<Array<{ id: string; parentId: string | null }>> {
    return this.db.prisma.unit.findMany({ select: { id: true, parentId: true } });
  }

  sites(): Promise<Array<{ id: string; timeZone: string }>> {
    return this.db.prisma.site.findMany({ select: { id: true, timeZone: true } });
  }

  terminals(): Promise<
    Array<{
      id: string;
      siteId: string;
      active: boolean;
      lastStatus: string | null;
      lastStatusAt: Date | null;
    }>
  > {
    return this.db.prisma.terminal.findMany({
      select: { id: true, siteId: true, active: true, lastStatus: true, lastStatusAt: true },
    });
  }

  async terminalSite(id: string): Promise<string | null> {
    const t = await this.db.prisma.terminal.findUnique({ where: { id }, select: { siteId: true } });
    return t?.siteId ?? null;
  }

  /** Employees by NIP (unknown ones are left out). */
  async employees(nips: readonly string[]): Promise<EmployeeFacts[]> {
    const out: EmployeeFacts[] = [];
    for (let i = 0; i < nips.length; i += 500) {
      out.push(
        ...(
          await this.db.prisma.employee.findMany({
            where: { nip: { in: nips.slice(i, i + 500) } },
            select: FACTS,
          })
        ).map(toFacts),
      );
    }
    return out;
  }

  /** Active employees who clock in at a site (the default site also takes those with none set). */
  async activeEmployeesOfSite(siteId: string): Promise<EmployeeFacts[]> {
    const site = siteId === DEFAULT_SITE ? { OR: [{ siteId }, { siteId: null }] } : { siteId };
    const rows = await this.db.prisma.employee.findMany({
      where: { active: true, ...site },
      select: { nip: true },
      orderBy: { nip: 'asc' },
    });
    return this.employeesInOrder(rows.map((r) => r.nip));
  }

  /**
   * The facts of these NIPs in this order, read 500 at a time: the facts carry each employee's
   * history, which Prisma loads with one parameter per employee (a region of 10,000 in one query
   * exceeds the database's parameter limit, and the day close failed on it).
   */
  private async employeesInOrder(nips: readonly string[]): Promise<EmployeeFacts[]> {
    const byNip = new Map((await this.employees(nips)).map((e) => [e.nip, e]));
    return nips.flatMap((n) => byNip.get(n) ?? []);
  }

  /**
   * Active employees, optionally of some units only. With `since`, also those whose employment
   * ended on or after it (their days up to the end still count), and units match any version
   * of the history too (someone who moved out of the unit).
   */
  async activeEmployees(unitIds?: readonly string[], since?: IsoDate): Promise<EmployeeFacts[]> {
    const units = unitIds ? [...unitIds] : undefined;
    const rows = await this.db.prisma.employee.findMany({
      where: {
        ...inServiceSince(since),
        ...(units
          ? since === undefined
            ? { unitId: { in: units } }
            : {
                AND: [
                  {
                    OR: [{ unitId: { in: units } }, { assignments: { some: { unitId: { in: units } } } }],
                  },
                ],
              }
          : {}),
      },
      select: { nip: true },
      orderBy: { nip: 'asc' },
    });
    return this.employeesInOrder(rows.map((r) => r.nip));
  }

  /** NIPs of every employee of these units, active or not (for scoping reads). */
  async nipsInUnits(unitIds: readonly string[]): Promise<string[]> {
    const rows = await this.db.prisma.employee.findMany({
      where: { unitId: { in: [...unitIds] } },
      select: { nip: true },
    });
    return rows.map((r) => r.nip);
  }

  async updateEmployee(
    nip: string,
    data: Partial<Pick<EmployeeFacts, 'siteId' | 'superiorNip' | 'baseAmount' | 'positionClass'>>,
  ): Promise<EmployeeFacts> {
    // Undated: the values hold for every version of the history too.
    const [, row] = await this.db.prisma.$transaction([
      this.db.prisma.employeeAssignment.updateMany({ where: { nip }, data }),
      this.db.prisma.employee.update({ where: { nip }, data, select: FACTS }),
    ]);
    return toFacts(row);
  }

  async siteExists(id: string): Promise<boolean> {
    return (await this.db.prisma.site.count({ where: { id } })) > 0;
  }
}
