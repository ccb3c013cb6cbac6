/**
 * People over time (RULES.md): the employment period bounds the working days, and the dated
 * facts resolve to the version in force on a date; a change from a date leaves earlier days alone.
 */
import { describe, expect, it } from 'vitest';
import {
  type Dated,
  DEFAULT_OFFICE_SCHEDULE,
  DEFAULT_POLICY_PROFILE,
  EMPTY_CALENDAR,
  inEmployment,
  type MonthCloseEmployee,
  monthCloser,
  periodProblem,
  proratedBase,
  versionOn,
  withChange,
} from '../../backend/domain/index.ts';
import { at, day, JULY_2024_WORKDAYS } from './helpers.ts';

type F = { unit: string; cls: number };
const v = (effectiveFrom: string, unit: string, cls: number): Dated<F> => ({ effectiveFrom, unit, cls });

describe('employment period', () => {
  it.each([
    [{ startDate: '2024-07-10', endDate: null }, '2024-07-09', false],
    [{ startDate: '2024-07-10', endDate: null }, '2024-07-10', true],
    [{ startDate: null, endDate: '2024-07-20' }, '2024-07-20', true],
    [{ startDate: null, endDate: '2024-07-20' }, '2024-07-21', false],
    [{ startDate: null, endDate: null }, '1990-01-01', true],
    [{ startDate: '2024-07-10', endDate: '2024-07-10' }, '2024-07-10', true],
  ])('%o holds %s: %s', (p, date, expected) => {
    expect(inEmployment(p, date)).toBe(expected);
  });

  it('an end before the start is a problem of the end date; the same day is a period', () => {
    expect(periodProblem({ startDate: '2024-07-10', endDate: '2024-07-09' })).toBe('endDate');
    expect(periodProblem({ startDate: '2024-07-10', endDate: '2024-07-10' })).toBeNull();
    expect(periodProblem({ startDate: null, endDate: '2024-07-09' })).toBeNull();
  });
});

describe('dated facts', () => {
  const history = [v('2024-01-01', 'A', 9), v('2024-07-15', 'B', 9), v('2024-09-01', 'B', 11)];
  const row: F = { unit: 'ROW', cls: 0 };

  it('takes the last version starting on or before the date; the first before it; the row with none', () => {
    expect(versionOn(history, '2024-07-14', row).unit).toBe('A');
    expect(versionOn(history, '2024-07-15', row).unit).toBe('B');
    expect(versionOn(history, '2024-12-31', row).cls).toBe(11);
    expect(versionOn(history, '2023-06-01', row).unit).toBe('A');
    expect(versionOn([], '2024-07-15', row)).toBe(row);
  });

  it('a change from a date leaves earlier days alone and carries into later versions that did not set it', () => {
    const after = withChange(history, row, '2024-08-01', { unit: 'C' });
    expect(after.map((x) => [x.effectiveFrom, x.unit, x.cls])).toEqual([
      ['2024-01-01', 'A', 9],
      ['2024-07-15', 'B', 9],
      ['2024-08-01', 'C', 9],
      // Only the class changed on 09-01: the unit it carried was B, now C.
      ['2024-09-01', 'C', 11],
    ]);
  });

  it('a later version that set its own value keeps it', () => {
    const after = withChange(history, row, '2024-03-01', { unit: 'Z' });
    expect(after.map((x) => x.unit)).toEqual(['A', 'Z', 'B', 'B']);
  });

  it('a change on the date of a version replaces it', () => {
    const after = withChange(history, row, '2024-07-15', { cls: 10 });
    expect(after.map((x) => [x.effectiveFrom, x.unit, x.cls])).toEqual([
      ['2024-01-01', 'A', 9],
      ['2024-07-15', 'B', 10],
      ['2024-09-01', 'B', 11],
    ]);
  });
});

describe('a day outside the employment period', () => {
  it('has no code and no deduction, and lists its punches with the reason', () => {
    const absent = day('2024-07-09');
    expect(absent.codes).toEqual(['TK']);
    const outside = day('2024-07-09', { employed: false });
    expect(outside.codes).toEqual([]);
    expect(outside.deductionBp).toBe(0);
    expect(outside.status).toBe('OffDay');
    const punched = day('2024-07-09', { employed: false, times: ['07:20', '16:10'] });
    expect(punched.arrival).toBeNull();
    expect(punched.ignoredPunches.map((p) => p.reason)).toEqual(['OutsideEmployment', 'OutsideEmployment']);
    expect(punched.reasons.map((r) => r.code)).toEqual(['OutsideEmployment']);
  });
});

describe('monthCloser with an employment period', () => {
  const setup = {
    month: '2024-07',
    schedules: [DEFAULT_OFFICE_SCHEDULE],
    calendar: EMPTY_CALENDAR,
    profiles: DEFAULT_POLICY_PROFILE,
  };
  // Starts on the 10th, retires on the 26th; never punches but on the 8th (before the start).
  const emp: MonthCloseEmployee = {
    employeeId: 'E1',
    baseAmount: 1_000_000,
    timeZone: 'Asia/Jakarta',
    scheduleId: DEFAULT_OFFICE_SCHEDULE.id,
    punches: [at('2024-07-08', '07:20')],
    employment: { startDate: '2024-07-10', endDate: '2024-07-26' },
  };
  const inService = JULY_2024_WORKDAYS.filter((d) => d >= '2024-07-10' && d <= '2024-07-26');

  it('counts TK only inside the period, and agrees with computeDailyStatus', () => {
    const r = monthCloser(setup)(emp);
    expect(r.allowance.absentDates).toEqual(inService);
    for (const d of r.days ?? []) {
      const employed = d.workDate >= '2024-07-10' && d.workDate <= '2024-07-26';
      const one = day(d.workDate, {
        employed,
        punches: d.workDate === '2024-07-08' ? [at('2024-07-08', '07:20')] : [],
      });
      expect(d).toEqual(one);
    }
    const before = r.days?.find((d) => d.workDate === '2024-07-08');
    expect(before?.ignoredPunches).toEqual([{ at: at('2024-07-08', '07:20'), reason: 'OutsideEmployment' }]);
  });

  it('without day-off records, the outside days without punches go with the days off', () => {
    const r = monthCloser({ ...setup, offDayRecords: false })(emp);
    const outsideWork = JULY_2024_WORKDAYS.filter((d) => !inService.includes(d) && d !== '2024-07-08');
    for (const d of outsideWork) expect(r.offDates).toContain(d);
    expect(r.days?.map((d) => d.workDate)).toEqual(['2024-07-08', ...inService]);
    // The same employee without a period: every work day absent, no extra off dates.
    const { employment: _none, ...noPeriod } = emp;
    const open = monthCloser({ ...setup, offDayRecords: false })(noPeriod);
    expect(open.allowance.absentDates.length).toBe(JULY_2024_WORKDAYS.length - 1);
    expect(open.allowance.baseAmount).toBe(1_000_000);
  });

  it('prorates the base by working days in service; deductions and the cap apply to that', () => {
    const r = monthCloser(setup)(emp);
    const share = Math.floor((1_000_000 * inService.length) / JULY_2024_WORKDAYS.length);
    expect(r.allowance.baseAmount).toBe(share);
    // Absent on every day in service: the cap (100%) takes the whole prorated base.
    expect(r.allowance.deductionAmount).toBeLessThanOrEqual(share);
    expect(r.allowance.deductionAmount).toBe(Math.floor((share * r.allowance.totalBp) / 10_000));
  });

  it('with two bases in a month (a new position class on the 15th), each part by its own working days', () => {
    const bases = Array.from({ length: 31 }, (_, i) => (i + 1 < 15 ? 3_000_000 : 4_000_000));
    const { employment: _none, ...noPeriod } = emp;
    const r = monthCloser(setup)({ ...noPeriod, baseAmounts: bases });
    const before = JULY_2024_WORKDAYS.filter((d) => d < '2024-07-15').length;
    const after = JULY_2024_WORKDAYS.length - before;
    expect(r.allowance.baseAmount).toBe(
      Math.floor((3_000_000 * before + 4_000_000 * after) / JULY_2024_WORKDAYS.length),
    );
  });
});

describe('proratedBase', () => {
  it('is the whole base in service all month, none outside it, and rounds down', () => {
    const work = ['2024-07-01', '2024-07-02', '2024-07-03'];
    expect(proratedBase(work, undefined, () => 1000, 7)).toBe(1000);
    expect(proratedBase(work, { startDate: '2024-08-01', endDate: null }, () => 1000, 7)).toBe(0);
    expect(proratedBase(work, { startDate: '2024-07-02', endDate: null }, () => 1000, 7)).toBe(666);
    expect(proratedBase([], undefined, () => 1000, 7)).toBe(7);
  });
});
