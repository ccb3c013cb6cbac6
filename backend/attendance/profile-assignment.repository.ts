import type { IsoDate, ProfileAssignment } from '../domain/index.ts';
import type { Db } from '../repositories/db.ts';

export type StoredProfileAssignment = ProfileAssignment & { createdBy: string; createdAt: Date };

function toAssignment(r: {
  id: string;
  unitId: string;
  profileId: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  createdBy: string;
  createdAt: Date;
}): StoredProfileAssignment {
  return { ...r, effectiveFrom: r.effectiveFrom as IsoDate, effectiveTo: r.effectiveTo as IsoDate | null };
}

/** The `profile_assignment` table: policy profile lineages assigned to units from a date. */
export class ProfileAssignmentRepository {
  constructor(private readonly db: Db) {}

  /** Every assignment, or those of some units; by unit, then date. */
  async list(unitIds?: readonly string[]): Promise<StoredProfileAssignment[]> {
    const rows = await this.db.prisma.profileAssignment.findMany({
      where: unitIds ? { unitId: { in: [...unitIds] } } : {},
      orderBy: [{ unitId: 'asc' }, { effectiveFrom: 'asc' }, { id: 'asc' }],
    });
    return rows.map(toAssignment);
  }

  async find(id: string): Promise<StoredProfileAssignment | null> {
    const r = await this.db.prisma.profileAssignment.findUnique({ where: { id } });
    return r ? toAssignment(r) : null;
  }

  async insert(a: ProfileAssignment & { createdBy: string }): Promise<StoredProfileAssignment> {
    return toAssignment(await this.db.prisma.profileAssignment.create({ data: a }));
  }

  async delete(id: string): Promise<void> {
    await this.db.prisma.profileAssignment.deleteMany({ where: { id } });
  }

  async unitExists(id: string): Promise<boolean> {
    return (await this.db.prisma.unit.count({ where: { id } })) > 0;
  }

  /** Stored day records of these units (all: undefined) between two dates (inclusive). */
  async storedDays(
    unitIds: readonly string[] | undefined,
    from: IsoDate,
    to: IsoDate,
  ): Promise<Array<{ employeeId: string; workDate: IsoDate }>> {
    const rows = await this.db.prisma.dailyRecord.findMany({
      where: { ...(unitIds ? { unitId: { in: [...unitIds] } } : {}), workDate: { gte: from, lte: to } },
      select: { employeeId: true, workDate: true },
    });
    return rows.map((r) => ({ employeeId: r.employeeId, workDate: r.workDate as IsoDate }));
  }
}
