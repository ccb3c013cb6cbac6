/**
 * The monthly allowance (TPP): the report per employee with its breakdown, the month lock, and
 * adjustments. A locked month is the snapshot of what was paid; when its days change later
 * (a late punch, a correction, leave approved afterwards), the month is recomputed from the
 * stored days and the difference is carried into the next open month as an adjustment.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.ts';
import {
  type AllowanceLine,
  computeAdjustment,
  computeMonthlyAllowance,
  datesOfMonth,
  type IsoDate,
  type IsoMonth,
  type MonthlyAllowance,
  nextOpenMonth,
  settleMonth,
} from '../domain/index.ts';
import { AppError } from '../errors.ts';
import { type Scope, scopedUnits } from '../services/scope.ts';
import type { AllowanceRepository, StoredAdjustment } from './allowance.repository.ts';
import { fromStoredDay } from './daily-record.mapper.ts';
import type { DailyRecordRepository } from './daily-record.repository.ts';
import type { DisciplineService } from './discipline.service.ts';
import type { ClosedEmployee, MonthCloseService } from './month-close.service.ts';
import { employeeProfiles } from './profile-resolution.ts';
import type { DayChange } from './recompute.service.ts';
import type { RulesConfigRepository } from './rules-config.repository.ts';
import type { RulesContext } from './rules-context.ts';

export type AllowanceReportRow = {
  employeeId: string;
  name: string;
  unitId: string;
  month: IsoMonth;
  locked: boolean;
  lockedAt: string | null;
  baseAmount: number;
  baseSource: 'Direct' | 'PositionClass' | 'None' | 'Snapshot';
  grossBp: number;
  capBp: number;
  totalBp: number;
  deductionAmount: number;
  payableAmount: number;
  adjustmentTotal: number;
  netAmount: number;
  carryForward: number;
  codeCounts: Record<string, number>;
  absentDates: IsoDate[];
  unsettledDates: IsoDate[];
  lines: AllowanceLine[];
  adjustments: Array<Pick<StoredAdjustment, 'id' | 'sourceMonth' | 'amount' | 'bpDelta' | 'changes'>>;
};

export class AllowanceService {
  constructor(
    private readonly o: {
      close: MonthCloseService;
      allowances: AllowanceRepository;
      days: DailyRecordRepository;
      config: RulesConfigRepository;
      discipline: DisciplineService;
      log: Logger;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  async report(
    month: IsoMonth,
    scope: Scope,
    f: { unitId?: string | undefined; employeeId?: string | undefined },
  ): Promise<AllowanceReportRow[]> {
    const unitIds = scopedUnits(scope, f.unitId);
    const employeeIds = f.employeeId ? [f.employeeId] : undefined;
    const visible = (unitId: string, nip: string) =>
      (!unitIds || unitIds.includes(unitId)) && (!employeeIds || employeeIds.includes(nip));
    const [open, stored, adjustments] = await Promise.all([
      this.o.close.close(month, { unitIds, employeeIds, write: false }),
      this.o.allowances.rows(month, employeeIds),
      this.o.allowances.adjustments({ targetMonth: month, employeeIds }),
    ]);
    const locked = stored.filter((r) => r.locked && visible(r.unitId, r.allowance.employeeId));
    const names = new Map(
      (await this.o.config.employees(locked.map((r) => r.allowance.employeeId))).map((e) => [e.nip, e.name]),
    );
    const rows: AllowanceReportRow[] = [
      ...open.closed.map((c) =>
        this.row(c.result.allowance, adjustments, {
          name: c.employee.name,
          unitId: c.employee.unitId,
          baseSource: c.base.source,
          lockedAt: null,
        }),
      ),
      ...locked.map((r) =>
        this.row(r.allowance, adjustments, {
          name: names.get(r.allowance.employeeId) ?? '',
          unitId: r.unitId,
          baseSource: 'Snapshot',
          lockedAt: r.lockedAt,
        }),
      ),
    ];
    return rows.sort((a, b) => (a.employeeId < b.employeeId ? -1 : 1));
  }

  private row(
    a: MonthlyAllowance,
    adjustments: readonly StoredAdjustment[],
    x: {
      name: string;
      unitId: string;
      baseSource: AllowanceReportRow['baseSource'];
      lockedAt: number | null;
    },
  ): AllowanceReportRow {
    const payout = settleMonth(a, adjustments);
    return {
      employeeId: a.employeeId,
      name: x.name,
      unitId: x.unitId,
      month: a.month,
      locked: x.lockedAt !== null,
      lockedAt: x.lockedAt === null ? null : new Date(x.lockedAt).toISOString(),
      baseAmount: a.baseAmount,
      baseSource: x.baseSource,
      grossBp: a.grossBp,
      capBp: a.capBp,
      totalBp: a.totalBp,
      deductionAmount: a.deductionAmount,
      payableAmount: a.payableAmount,
      adjustmentTotal: payout.adjustmentTotal,
      netAmount: payout.netAmount,
      carryForward: payout.carryForward,
      codeCounts: a.codeCounts,
      absentDates: a.absentDates,
      unsettledDates: a.unsettledDates,
      lines: a.lines,
      adjustments: adjustments
        .filter((j) => j.employeeId === a.employeeId)
        .map((j) => ({
          id: j.id,
          sourceMonth: j.sourceMonth,
          amount: j.amount,
          bpDelta: j.bpDelta,
          changes: j.changes,
        })),
    };
  }

  /** Closes the month (writes day records and allowances) without locking it. */
  async close(month: IsoMonth, unitId: string | undefined) {
    const res = await this.o.close.close(month, { unitIds: unitId ? [unitId] : undefined, write: true });
    const t = performance.now();
    const casesOpened = await this.evaluateDiscipline(month, res.closed);
    return {
      month,
      employees: res.closed.length,
      alreadyLocked: res.skippedLocked.length,
      casesOpened,
      timings: { ...res.timings, disciplineMs: performance.now() - t },
    };
  }

  /** The close wrote days without the recompute follow-ups: count absences again. */
  private evaluateDiscipline(month: IsoMonth, closed: readonly ClosedEmployee[]): Promise<number> {
    return this.o.discipline.evaluateAfterClose(
      closed.map((c) => ({ employee: c.employee, absentDays: c.result.allowance.absentDates.length })),
      Number(month.slice(0, 4)),
    );
  }

  /** Locks an approved month for a unit or for everybody ('*'); refused while days are unsettled. */
  async lock(month: IsoMonth, unitId: string | undefined, by: string) {
    const scope = unitId ?? '*';
    const res = await this.o.close.close(month, {
      unitIds: unitId ? [unitId] : undefined,
      write: true,
      lock: { scope, by },
    });
    if (res.closed.length === 0) {
      throw new AppError(
        'CONFLICT',
        res.skippedLocked.length > 0 ? `${month} is already locked for ${scope}` : 'no employees to lock',
      );
    }
    await this.evaluateDiscipline(month, res.closed);
    this.o.log.info({ month, scope, employees: res.closed.length, by }, 'month locked');
    return {
      month,
      scope,
      employees: res.closed.length,
      alreadyLocked: res.skippedLocked.length,
      payableTotal: res.closed.reduce((sum, c) => sum + c.result.allowance.payableAmount, 0),
    };
  }

  locks(month?: IsoMonth) {
    return this.o.allowances.locks(month);
  }

  /** Adjustments paid in a month (all months when none), of one employee or everybody, within the scope. */
  async adjustments(targetMonth: IsoMonth | undefined, employeeId: string | undefined, scope: Scope) {
    let employeeIds = employeeId ? [employeeId] : undefined;
    if (!scope.all) {
      const mine = await this.o.config.nipsInUnits(scope.unitIds);
      employeeIds = employeeIds ? employeeIds.filter((n) => mine.includes(n)) : mine;
    }
    const rows = await this.o.allowances.adjustments({
      ...(targetMonth ? { targetMonth } : {}),
      employeeIds,
    });
    return rows.map(({ recomputed: _, ...adjustment }) => adjustment);
  }

  /** Base allowance per position class (kelas jabatan). */
  async positionAmounts(): Promise<Array<{ positionClass: number; amount: number }>> {
    return [...(await this.o.config.positionAmounts())].map(([positionClass, amount]) => ({
      positionClass,
      amount,
    }));
  }

  async setPositionAmount(
    positionClass: number,
    amount: number,
  ): Promise<{ positionClass: number; amount: number }> {
    await this.o.config.setPositionAmount(positionClass, amount);
    return { positionClass, amount };
  }

  /**
   * Recompute follow-up: for each changed day in a month locked for that employee, the month is
   * recomputed from the stored days (at the base amount that was paid) and compared with what
   * was paid so far (the snapshot, or the last adjustment's recomputation); a difference becomes
   * an adjustment in the next open month. Idempotent: once carried, the difference is zero.
   */
  readonly onDaysChanged = async (changes: readonly DayChange[], ctx: RulesContext): Promise<void> => {
    const byMonth = new Map<IsoMonth, Map<string, DayChange['employee']>>();
    for (const c of changes) {
      const month = c.after.workDate.slice(0, 7);
      const set = byMonth.get(month) ?? new Map<string, DayChange['employee']>();
      set.set(c.employee.nip, c.employee);
      byMonth.set(month, set);
    }
    for (const [month, employees] of byMonth) {
      const locked = await this.o.allowances.lockedEmployees(month);
      for (const e of employees.values()) if (locked.has(e.nip)) await this.adjust(e, month, ctx);
    }
  };

  private async adjust(employee: DayChange['employee'], month: IsoMonth, ctx: RulesContext): Promise<void> {
    const employeeId = employee.nip;
    const [snapshot] = await this.o.allowances.rows(month, [employeeId]);
    if (!snapshot?.locked) return;
    const previous = await this.o.allowances.adjustments({ employeeIds: [employeeId], sourceMonth: month });
    const baseline = previous.at(-1)?.recomputed ?? snapshot.allowance;
    const dates = datesOfMonth(month);
    const days = await this.o.days.forEmployees([employeeId], dates[0] as IsoDate, dates.at(-1) as IsoDate);
    const recomputed = computeMonthlyAllowance({
      employeeId,
      month,
      baseAmount: snapshot.allowance.baseAmount,
      days: days.map(fromStoredDay),
      profiles: employeeProfiles(ctx, employee.unitId),
    });
    const target = nextOpenMonth(month, await this.o.allowances.lockedMonthsOf(employeeId));
    const adj = computeAdjustment(baseline, recomputed, target);
    if (adj.amount === 0 && adj.bpDelta === 0 && adj.changes.length === 0) return;
    await this.o.allowances.addAdjustment({ ...adj, id: randomUUID(), recomputed }, new Date(this.now()));
    this.o.log.info(
      { employeeId, sourceMonth: month, targetMonth: target, amount: adj.amount },
      'adjustment for a locked month',
    );
  }
}
