/**
 * The monthly allowance (TPP / tunjangan kinerja) of one employee: each day's
 * deductions become lines, the profile's "free late days" and monthly cap are
 * applied, and the rupiah amount is computed in integers.
 *
 * Rounding rule (ROUNDING_RULE): all percentages are integer basis points. The
 * month's deduction is computed once, on the capped total:
 *   deductionAmount = floor(baseAmount × totalBp / 10 000)
 * so rounding is never more than 1 rupiah and always in the employee's favour,
 * and there is no per-line drift. Each line's rupiah is an allocation of that
 * total by the largest-remainder method (floor of its exact share, then the
 * leftover rupiah one by one to the largest remainders, ties to the earlier
 * line), so the lines always add up exactly to the total.
 */
import type { DailyRecord, DeductionKind } from './daily-record.ts';
import { DomainError } from './domain-error.ts';
import { type IsoDate, type IsoMonth, lastDateOfMonth } from './local-date.ts';
import { type PolicyProfile, type ProfileRef, type ProfileSource, selectProfile } from './policy-profile.ts';

export const ROUNDING_RULE =
  'deduction = floor(base × cappedBp / 10000) on the month total; lines allocated by largest remainder';

/** Keeps base × 10 000 within Number.MAX_SAFE_INTEGER. */
export const MAX_BASE_AMOUNT = 900_000_000_000;

export type AllowanceNote = 'WithinFreeLateDays' | 'LateDaysNotExceeded' | 'PartlyBeyondCap' | 'BeyondCap';

export interface AllowanceLine {
  date: IsoDate;
  kind: DeductionKind;
  code: string;
  /** The day's deduction for this code. */
  bp: number;
  /** What counts after free late days and the monthly cap. */
  countedBp: number;
  /** Rupiah allocated to this line. */
  amount: number;
  note: AllowanceNote | null;
  profile: ProfileRef;
}

export interface MonthlyAllowance {
  employeeId: string;
  month: IsoMonth;
  /** Integer rupiah. */
  baseAmount: number;
  lines: AllowanceLine[];
  /** Days carrying a TL code (late or no clock-in). */
  lateDays: number;
  /** Sum of line bp after free late days, before the cap. */
  grossBp: number;
  capBp: number;
  /** min(grossBp, capBp). */
  totalBp: number;
  deductionAmount: number;
  payableAmount: number;
  /** Number of days carrying each code. */
  codeCounts: Record<string, number>;
  absentDates: IsoDate[];
  /** Pending or open days: the month should not be locked yet. */
  unsettledDates: IsoDate[];
}

export interface MonthlyAllowanceInput {
  employeeId: string;
  month: IsoMonth;
  baseAmount: number;
  /** The month's day records (any order; days off may be included or left out). */
  days: readonly DailyRecord[];
  /**
   * Profile history or resolver; free late days use each day's profile, the cap the one in force on
   * the last day of the month.
   */
  profiles: ProfileSource;
}

export function assertBaseAmount(amount: number): void {
  if (!Number.isSafeInteger(amount) || amount < 0 || amount > MAX_BASE_AMOUNT) {
    throw new DomainError(
      'INVALID_AMOUNT',
      `base amount must be an integer rupiah in [0, ${MAX_BASE_AMOUNT}]`,
    );
  }
}

const isLateKind = (kind: DeductionKind): boolean => kind === 'Late' || kind === 'MissingClockIn';
function hasLateCode(day: DailyRecord): boolean {
  for (const d of day.deductions) if (isLateKind(d.kind)) return true;
  return false;
}

// Memo tables for the month-close loop (10 000 employees share one month and one profile history).
const lastDates = new Map<IsoMonth, IsoDate>();
function lastDateOfMonthCached(month: IsoMonth): IsoDate {
  let d = lastDates.get(month);
  if (d === undefined) {
    d = lastDateOfMonth(month);
    if (lastDates.size > 1000) lastDates.clear();
    lastDates.set(month, d);
  }
  return d;
}
const profileMemo = new WeakMap<readonly PolicyProfile[], Map<IsoDate, PolicyProfile>>();
function selectProfileCached(profiles: ProfileSource, date: IsoDate): PolicyProfile {
  if (!Array.isArray(profiles)) return selectProfile(profiles, date);
  const list = profiles as readonly PolicyProfile[];
  let memo = profileMemo.get(list);
  if (!memo) {
    memo = new Map();
    profileMemo.set(list, memo);
  }
  let p = memo.get(date);
  if (!p) {
    p = selectProfile(list, date);
    memo.set(date, p);
  }
  return p;
}

/** Split `total` over weights (exact shares weight × base / 10 000) by largest remainder. */
function allocate(base: number, weights: readonly number[], total: number): number[] {
  const shares = weights.map((w) => Math.floor((base * w) / 10_000));
  let leftover = total - shares.reduce((a, b) => a + b, 0);
  const order = weights
    .map((w, i) => ({ i, rem: (base * w) % 10_000 }))
    .filter((x) => x.rem > 0)
    .sort((a, b) => b.rem - a.rem || a.i - b.i);
  for (const { i } of order) {
    if (leftover <= 0) break;
    shares[i] = (shares[i] ?? 0) + 1;
    leftover--;
  }
  return shares;
}

export function computeMonthlyAllowance(input: MonthlyAllowanceInput): MonthlyAllowance {
  const { employeeId, month, baseAmount, profiles } = input;
  assertBaseAmount(baseAmount);
  let days = input.days;
  for (let i = 1; i < days.length; i++) {
    if ((days[i - 1] as DailyRecord).workDate > (days[i] as DailyRecord).workDate) {
      days = [...days].sort((a, b) => (a.workDate < b.workDate ? -1 : 1));
      break;
    }
  }
  const prefix = `${month}-`;
  for (let i = 0; i < days.length; i++) {
    const d = days[i] as DailyRecord;
    if (!d.workDate.startsWith(prefix)) {
      throw new DomainError('INVALID_ARGUMENT', `day ${d.workDate} is not in month ${month}`);
    }
    if (days[i + 1]?.workDate === d.workDate) {
      throw new DomainError('INVALID_ARGUMENT', `two records for ${d.workDate}`);
    }
  }
  let lateDays = 0;
  for (const d of days) if (hasLateCode(d)) lateDays++;
  const capBp = selectProfileCached(profiles, lastDateOfMonthCached(month)).monthlyCapBp;

  const lines: AllowanceLine[] = [];
  const codeCounts: Record<string, number> = {};
  const absentDates: IsoDate[] = [];
  const unsettledDates: IsoDate[] = [];
  let grossBp = 0;
  let remaining = capBp;
  let lateIndex = 0;
  for (const day of days) {
    const codes = day.codes;
    for (let i = 0; i < codes.length; i++) {
      const code = codes[i] as string;
      if (codes.indexOf(code) === i) codeCounts[code] = (codeCounts[code] ?? 0) + 1;
    }
    if (day.status === 'Absent') absentDates.push(day.workDate);
    if (day.status === 'Pending' || day.status === 'Open') unsettledDates.push(day.workDate);
    if (day.deductions.length === 0) continue;
    let waiver: AllowanceNote | null = null;
    if (hasLateCode(day)) {
      lateIndex++;
      const free = selectProfileCached(profiles, day.workDate).late.freeLateDays;
      if (free.mode === 'ExcessOnly' && lateIndex <= free.count) waiver = 'WithinFreeLateDays';
      if (free.mode === 'AllWhenExceeded' && lateDays <= free.count) waiver = 'LateDaysNotExceeded';
    }
    for (const d of day.deductions) {
      const waived = waiver !== null && isLateKind(d.kind);
      const eligible = waived ? 0 : d.bp;
      const countedBp = Math.min(eligible, remaining);
      remaining -= countedBp;
      grossBp += eligible;
      const note: AllowanceNote | null = waived
        ? waiver
        : countedBp === eligible
          ? null
          : countedBp > 0
            ? 'PartlyBeyondCap'
            : 'BeyondCap';
      lines.push({
        date: day.workDate,
        kind: d.kind,
        code: d.code,
        bp: d.bp,
        countedBp,
        amount: 0,
        note,
        profile: day.profile,
      });
    }
  }
  const totalBp = Math.min(grossBp, capBp);
  const deductionAmount = Math.floor((baseAmount * totalBp) / 10_000);
  const amounts = allocate(
    baseAmount,
    lines.map((l) => l.countedBp),
    deductionAmount,
  );
  lines.forEach((l, i) => {
    l.amount = amounts[i] ?? 0;
  });
  return {
    employeeId,
    month,
    baseAmount,
    lines,
    lateDays,
    grossBp,
    capBp,
    totalBp,
    deductionAmount,
    payableAmount: baseAmount - deductionAmount,
    codeCounts,
    absentDates,
    unsettledDates,
  };
}
