import type { AllowanceAdjustment, IsoMonth, MonthlyAllowance } from '../domain/index.ts';
import type { Db } from '../repositories/db.ts';
import type { SqliteConnection } from '../repositories/sqlite-connection.ts';

export type AllowanceRow = {
  allowance: MonthlyAllowance;
  unitId: string;
  locked: boolean;
  lockScope: string | null;
  lockedAt: number | null;
};

export type StoredAdjustment = AllowanceAdjustment & {
  id: string;
  createdAt: Date;
  /** The recomputed allowance: the baseline for the next correction of the same month. */
  recomputed: MonthlyAllowance;
};

/**
 * Monthly allowances (locked = the snapshot of what was paid), month locks and adjustments.
 * `fast` (SQLite): the recompute's look-up of locked employees goes through the hot path's own
 * connection (sqlite-connection.ts).
 */
export class AllowanceRepository {
  constructor(
    private readonly db: Db,
    private readonly fast?: SqliteConnection,
  ) {}

  async rows(month: IsoMonth, employeeIds?: readonly string[]): Promise<AllowanceRow[]> {
    const rows = await this.db.prisma.monthlyAllowance.findMany({
      where: { month, ...(employeeIds ? { employeeId: { in: [...employeeIds] } } : {}) },
    });
    return rows.map((r) => ({
      allowance: JSON.parse(r.detail) as MonthlyAllowance,
      unitId: r.unitId,
      locked: r.locked,
      lockScope: r.lockScope,
      lockedAt: r.lockedAt?.getTime() ?? null,
    }));
  }

  /** NIPs whose allowance for the month is locked. */
  async lockedEmployees(month: IsoMonth): Promise<Set<string>> {
    if (this.fast) {
      const nips = this.fast
        .prepare('SELECT employee_id FROM monthly_allowance WHERE month = ? AND locked')
        .pluck()
        .all(month) as string[];
      return new Set(nips);
    }
    const rows = await this.db.prisma.monthlyAllowance.findMany({
      where: { month, locked: true },
      select: { employeeId: true },
    });
    return new Set(rows.map((r) => r.employeeId));
  }

  /** Locked months of one employee. */
  async lockedMonthsOf(employeeId: string): Promise<IsoMonth[]> {
    const rows = await this.db.prisma.monthlyAllowance.findMany({
      where: { employeeId, locked: true },
      select: { month: true },
    });
    return rows.map((r) => r.month);
  }

  /** Every month locked for anybody (a profile may not take effect in or before one). */
  async lockedMonths(): Promise<IsoMonth[]> {
    const rows = await this.db.prisma.monthLock.findMany({ select: { month: true }, distinct: ['month'] });
    return rows.map((r) => r.month);
  }

  locks(month?: IsoMonth) {
    return this.db.prisma.monthLock.findMany({
      where: month ? { month } : {},
      orderBy: [{ month: 'asc' }, { scope: 'asc' }],
    });
  }

  async adjustments(filter: {
    employeeIds?: readonly string[] | undefined;
    sourceMonth?: IsoMonth;
    targetMonth?: IsoMonth;
  }): Promise<StoredAdjustment[]> {
    const rows = await this.db.prisma.allowanceAdjustment.findMany({
      where: {
        ...(filter.employeeIds ? { employeeId: { in: [...filter.employeeIds] } } : {}),
        ...(filter.sourceMonth ? { sourceMonth: filter.sourceMonth } : {}),
        ...(filter.targetMonth ? { targetMonth: filter.targetMonth } : {}),
      },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    return rows.map((r) => {
      const d = JSON.parse(r.detail) as {
        changes: AllowanceAdjustment['changes'];
        recomputed: MonthlyAllowance;
      };
      return {
        id: r.id,
        employeeId: r.employeeId,
        sourceMonth: r.sourceMonth,
        targetMonth: r.targetMonth,
        paidAmount: r.paidAmount,
        recomputedAmount: r.recomputedAmount,
        amount: r.amount,
        bpDelta: r.bpDelta,
        changes: d.changes,
        recomputed: d.recomputed,
        createdAt: r.createdAt,
      };
    });
  }

  async addAdjustment(a: Omit<StoredAdjustment, 'createdAt'>, createdAt: Date): Promise<void> {
    await this.db.prisma.allowanceAdjustment.create({
      data: {
        id: a.id,
        employeeId: a.employeeId,
        sourceMonth: a.sourceMonth,
        targetMonth: a.targetMonth,
        paidAmount: a.paidAmount,
        recomputedAmount: a.recomputedAmount,
        amount: a.amount,
        bpDelta: a.bpDelta,
        detail: JSON.stringify({ changes: a.changes, recomputed: a.recomputed }),
        createdAt,
      },
    });
  }
}
