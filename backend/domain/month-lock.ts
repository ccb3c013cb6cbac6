/**
 * Locking an approved month, and corrections after the lock. A locked month is
 * never rewritten: a correction recomputes it and the difference from what was
 * paid becomes an adjustment carried into the next open month.
 */
import type { MonthlyAllowance } from './allowance.ts';
import { DomainError, type Outcome } from './domain-error.ts';
import { addMonths, type IsoDate, type IsoMonth, isIsoMonth } from './local-date.ts';

export interface LockedMonth {
  employeeId: string;
  month: IsoMonth;
  /** ISO 8601 instant of the approval. */
  lockedAt: string;
  /** What was paid: the snapshot adjustments are measured against. */
  allowance: MonthlyAllowance;
}

/** Lock an approved month; refused while days are still pending or open. */
export function lockMonth(allowance: MonthlyAllowance, lockedAt: string): Outcome<LockedMonth> {
  if (allowance.unsettledDates.length > 0) {
    return { ok: false, issues: [`days not settled yet: ${allowance.unsettledDates.join(', ')}`] };
  }
  return {
    ok: true,
    value: { employeeId: allowance.employeeId, month: allowance.month, lockedAt, allowance },
  };
}

export function isMonthLocked(month: IsoMonth, lockedMonths: readonly IsoMonth[]): boolean {
  return lockedMonths.includes(month);
}

/** The first month after `month` that is not locked. */
export function nextOpenMonth(month: IsoMonth, lockedMonths: readonly IsoMonth[]): IsoMonth {
  const locked = new Set(lockedMonths);
  let next = addMonths(month, 1);
  while (locked.has(next)) next = addMonths(next, 1);
  return next;
}

export interface LineChange {
  date: IsoDate;
  code: string;
  paidBp: number;
  recomputedBp: number;
}

export interface AllowanceAdjustment {
  employeeId: string;
  /** The locked month that was corrected. */
  sourceMonth: IsoMonth;
  /** The open month the adjustment is paid (or recovered) in. */
  targetMonth: IsoMonth;
  paidAmount: number;
  recomputedAmount: number;
  /** recomputed payable − paid payable: positive is owed to the employee, negative is recovered. */
  amount: number;
  bpDelta: number;
  changes: LineChange[];
}

/** Adjustment = the locked month recomputed minus what was paid, carried into `targetMonth`. */
export function computeAdjustment(
  paid: MonthlyAllowance,
  recomputed: MonthlyAllowance,
  targetMonth: IsoMonth,
): AllowanceAdjustment {
  if (paid.employeeId !== recomputed.employeeId || paid.month !== recomputed.month) {
    throw new DomainError(
      'INVALID_ARGUMENT',
      'paid and recomputed allowances must be the same employee and month',
    );
  }
  if (!isIsoMonth(targetMonth) || targetMonth <= paid.month) {
    throw new DomainError('INVALID_MONTH', `target month ${targetMonth} must come after ${paid.month}`);
  }
  const key = (date: string, code: string) => `${date}|${code}`;
  const sums = new Map<string, LineChange>();
  for (const [side, a] of [
    ['paid', paid],
    ['recomputed', recomputed],
  ] as const) {
    for (const l of a.lines) {
      const k = key(l.date, l.code);
      const c = sums.get(k) ?? { date: l.date, code: l.code, paidBp: 0, recomputedBp: 0 };
      if (side === 'paid') c.paidBp += l.countedBp;
      else c.recomputedBp += l.countedBp;
      sums.set(k, c);
    }
  }
  const changes = [...sums.values()]
    .filter((c) => c.paidBp !== c.recomputedBp)
    .sort((a, b) => (a.date === b.date ? (a.code < b.code ? -1 : 1) : a.date < b.date ? -1 : 1));
  return {
    employeeId: paid.employeeId,
    sourceMonth: paid.month,
    targetMonth,
    paidAmount: paid.payableAmount,
    recomputedAmount: recomputed.payableAmount,
    amount: recomputed.payableAmount - paid.payableAmount,
    bpDelta: recomputed.totalBp - paid.totalBp,
    changes,
  };
}

export interface MonthlyPayout {
  employeeId: string;
  month: IsoMonth;
  payableAmount: number;
  adjustments: AllowanceAdjustment[];
  adjustmentTotal: number;
  /** max(0, payable + adjustments): what is paid this month. */
  netAmount: number;
  /** A recovery larger than the month's pay (≤ 0), to carry into the following month. */
  carryForward: number;
}

/** The month's payout: its own allowance plus adjustments targeted at it. */
export function settleMonth(
  allowance: MonthlyAllowance,
  adjustments: readonly AllowanceAdjustment[],
): MonthlyPayout {
  const mine = adjustments.filter(
    (a) => a.employeeId === allowance.employeeId && a.targetMonth === allowance.month,
  );
  const adjustmentTotal = mine.reduce((sum, a) => sum + a.amount, 0);
  const gross = allowance.payableAmount + adjustmentTotal;
  return {
    employeeId: allowance.employeeId,
    month: allowance.month,
    payableAmount: allowance.payableAmount,
    adjustments: mine,
    adjustmentTotal,
    netAmount: Math.max(0, gross),
    carryForward: Math.min(0, gross),
  };
}
