import { describe, expect, it } from 'vitest';
import {
  closeMonth,
  computeAdjustment,
  computeMonthlyAllowance,
  DEFAULT_OFFICE_SCHEDULE,
  DEFAULT_POLICY_PROFILE,
  DomainError,
  EMPTY_CALENDAR,
  type Leave,
  lockMonth,
  nextOpenMonth,
  settleMonth,
} from '../../backend/domain/index.ts';
import { at, day, JULY_2024_WORKDAYS, profileWith, WIB } from './helpers.ts';

const july = (days: ReturnType<typeof day>[], baseAmount = 5_000_000, profiles = DEFAULT_POLICY_PROFILE) =>
  computeMonthlyAllowance({ employeeId: 'E1', month: '2024-07', baseAmount, days, profiles });

describe('monthly allowance', () => {
  it('sums day deductions into lines with the breakdown behind every number', () => {
    const m = july([
      day('2024-07-01', { times: ['07:45', '16:00'] }), // TL1 50
      day('2024-07-02'), // TK 300
      day('2024-07-03', { times: ['07:00', '15:00'] }), // PSW2 100
      day('2024-07-06'), // Saturday, off
    ]);
    expect(m.lines.map((l) => [l.date, l.code, l.bp, l.countedBp, l.amount])).toEqual([
      ['2024-07-01', 'TL1', 50, 50, 25_000],
      ['2024-07-02', 'TK', 300, 300, 150_000],
      ['2024-07-03', 'PSW2', 100, 100, 50_000],
    ]);
    expect(m).toMatchObject({
      grossBp: 450,
      totalBp: 450,
      deductionAmount: 225_000,
      payableAmount: 4_775_000,
      lateDays: 1,
      absentDates: ['2024-07-02'],
      codeCounts: { TL1: 1, TK: 1, PSW2: 1 },
    });
  });

  it('rounds once on the month total, down, and allocates lines by largest remainder', () => {
    // 1 234 567 × 0.5% = 6 172.835 per TL1; three of them: 18 518.505 → 18 518.
    const m = july(
      ['2024-07-01', '2024-07-02', '2024-07-03'].map((d) => day(d, { times: ['07:45', '16:00'] })),
      1_234_567,
    );
    expect(m.deductionAmount).toBe(18_518);
    expect(m.lines.map((l) => l.amount)).toEqual([6173, 6173, 6172]);
    expect(m.lines.reduce((s, l) => s + l.amount, 0)).toBe(m.deductionAmount);
    expect(m.payableAmount).toBe(1_234_567 - 18_518);
  });

  it('caps the month at 100% (TK 5% × 23 days = 115%)', () => {
    const profile = profileWith((p) => {
      p.absent.deductionBp = 500;
    });
    const m = july(
      JULY_2024_WORKDAYS.map((d) => day(d, { profile })),
      3_000_000,
      profile,
    );
    expect(m).toMatchObject({
      grossBp: 11_500,
      capBp: 10_000,
      totalBp: 10_000,
      deductionAmount: 3_000_000,
      payableAmount: 0,
    });
    expect(m.lines.filter((l) => l.note === 'BeyondCap')).toHaveLength(3);
    expect(m.lines[19]).toMatchObject({ countedBp: 500, note: null });
    expect(m.lines[20]).toMatchObject({ countedBp: 0, note: 'BeyondCap', amount: 0 });
  });

  it('a lower cap cuts a line partly', () => {
    const profile = profileWith((p) => {
      p.monthlyCapBp = 700;
    });
    const m = july(
      ['2024-07-01', '2024-07-02', '2024-07-03'].map((d) => day(d)),
      1_000_000,
      profile,
    );
    expect(m.lines.map((l) => [l.countedBp, l.note])).toEqual([
      [300, null],
      [300, null],
      [100, 'PartlyBeyondCap'],
    ]);
    expect(m.deductionAmount).toBe(70_000);
  });

  it('rejects a non-integer base amount and days of another month', () => {
    expect(() => july([], 100.5)).toThrow(DomainError);
    expect(() => july([day('2024-08-01')])).toThrow(/not in month/);
  });

  it('a profile change in the middle of the month: days before it use the old profile', () => {
    const v1 = profileWith((p) => {
      p.effectiveFrom = '2024-01-01';
    });
    const v2 = profileWith((p) => {
      p.version = 2;
      p.effectiveFrom = '2024-07-15';
      p.absent.deductionBp = 400;
    });
    const [result] = closeMonth({
      month: '2024-07',
      schedules: [DEFAULT_OFFICE_SCHEDULE],
      calendar: EMPTY_CALENDAR,
      profiles: [v1, v2],
      employees: [
        {
          employeeId: 'E1',
          baseAmount: 1_000_000,
          timeZone: WIB,
          scheduleId: DEFAULT_OFFICE_SCHEDULE.id,
          punches: JULY_2024_WORKDAYS.filter((d) => d !== '2024-07-12' && d !== '2024-07-15').flatMap((d) => [
            at(d, '07:00'),
            at(d, '17:00'),
          ]),
        },
      ],
    });
    expect(result?.allowance.lines.map((l) => [l.date, l.code, l.bp, l.profile.version])).toEqual([
      ['2024-07-12', 'TK', 300, 1],
      ['2024-07-15', 'TK', 400, 2],
    ]);
    expect(result?.allowance.deductionAmount).toBe(70_000);
  });
});

describe('locked months and corrections', () => {
  const employee = (leaves: Leave[] = []) => ({
    employeeId: 'E1',
    baseAmount: 4_000_000,
    timeZone: WIB,
    scheduleId: DEFAULT_OFFICE_SCHEDULE.id,
    punches: JULY_2024_WORKDAYS.filter((d) => d !== '2024-07-10').flatMap((d) => [
      at(d, '07:20'),
      at(d, '17:00'),
    ]),
    leaves,
  });
  const close = (month: string, leaves: Leave[] = []) => {
    const [r] = closeMonth({
      month,
      schedules: [DEFAULT_OFFICE_SCHEDULE],
      calendar: EMPTY_CALENDAR,
      profiles: DEFAULT_POLICY_PROFILE,
      employees: [employee(leaves)],
    });
    if (!r) throw new Error('no result');
    return r.allowance;
  };

  it('a correction after the lock becomes an adjustment in the next open month', () => {
    const paid = close('2024-07');
    expect(paid.absentDates).toEqual(['2024-07-10']);
    const locked = lockMonth(paid, '2024-08-05T02:00:00Z');
    expect(locked.ok).toBe(true);

    // In August the sick leave for 10 July is approved with a letter: July is recomputed.
    const sick: Leave = {
      id: 'S1',
      kind: 'SickLeave',
      from: '2024-07-10',
      to: '2024-07-10',
      approval: 'Approved',
    };
    const recomputed = close('2024-07', [sick]);
    expect(recomputed.totalBp).toBe(0);

    const target = nextOpenMonth('2024-07', ['2024-06', '2024-07']);
    expect(target).toBe('2024-08');
    const adjustment = computeAdjustment(paid, recomputed, target);
    expect(adjustment).toMatchObject({
      sourceMonth: '2024-07',
      targetMonth: '2024-08',
      paidAmount: 3_880_000,
      recomputedAmount: 4_000_000,
      amount: 120_000,
      bpDelta: -300,
      changes: [{ date: '2024-07-10', code: 'TK', paidBp: 300, recomputedBp: 0 }],
    });
    expect(paid.payableAmount).toBe(3_880_000); // the locked snapshot is untouched

    const august = computeMonthlyAllowance({
      employeeId: 'E1',
      month: '2024-08',
      baseAmount: 4_000_000,
      days: [day('2024-08-01', { times: ['07:45', '16:00'] })],
      profiles: DEFAULT_POLICY_PROFILE,
    });
    const payout = settleMonth(august, [adjustment]);
    expect(payout).toMatchObject({
      payableAmount: 3_980_000,
      adjustmentTotal: 120_000,
      netAmount: 4_100_000,
      carryForward: 0,
    });
  });

  it('a negative adjustment larger than the month is carried forward', () => {
    const august = computeMonthlyAllowance({
      employeeId: 'E1',
      month: '2024-08',
      baseAmount: 100_000,
      days: [],
      profiles: DEFAULT_POLICY_PROFILE,
    });
    const recovery = {
      ...computeAdjustment(close('2024-07'), close('2024-07'), '2024-08'),
      amount: -150_000,
    };
    expect(settleMonth(august, [recovery])).toMatchObject({ netAmount: 0, carryForward: -50_000 });
  });

  it('a month with pending days cannot be locked; adjustments go forward only', () => {
    const m = computeMonthlyAllowance({
      employeeId: 'E1',
      month: '2024-07',
      baseAmount: 1,
      days: [day('2024-07-01', { pendingPunches: true })],
      profiles: DEFAULT_POLICY_PROFILE,
    });
    expect(lockMonth(m, '2024-08-01T00:00:00Z')).toEqual({
      ok: false,
      issues: ['days not settled yet: 2024-07-01'],
    });
    expect(() => computeAdjustment(m, m, '2024-07')).toThrow(DomainError);
  });
});
