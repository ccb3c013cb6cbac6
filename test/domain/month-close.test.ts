import { describe, expect, it } from 'vitest';
import {
  closeMonth,
  DEFAULT_OFFICE_SCHEDULE,
  DEFAULT_POLICY_PROFILE,
  DomainError,
  describeReason,
  EMPTY_CALENDAR,
  lockMonth,
  type MonthCloseEmployee,
  summariseAbsence,
  type WorkSchedule,
} from '../../backend/domain/index.ts';
import { at, JULY_2024_WORKDAYS, WIB, WIT, WITA } from './helpers.ts';

const fullDays = (dates: readonly string[], timeZone = WIB) =>
  dates.flatMap((d) => [at(d, '07:10', timeZone), at(d, '16:45', timeZone)]);

const run = (
  employees: MonthCloseEmployee[],
  keepDays = true,
  schedules: WorkSchedule[] = [DEFAULT_OFFICE_SCHEDULE],
) =>
  closeMonth({
    month: '2024-07',
    schedules,
    calendar: EMPTY_CALENDAR,
    profiles: DEFAULT_POLICY_PROFILE,
    employees,
    keepDays,
  });

const base = (over: Partial<MonthCloseEmployee> = {}): MonthCloseEmployee => ({
  employeeId: 'E1',
  baseAmount: 2_000_000,
  timeZone: WIB,
  scheduleId: DEFAULT_OFFICE_SCHEDULE.id,
  punches: fullDays(JULY_2024_WORKDAYS),
  ...over,
});

describe('closeMonth', () => {
  it('a clean month: 31 records, no deduction, nothing unassigned', () => {
    const [r] = run([base({ punches: [...fullDays(JULY_2024_WORKDAYS), at('2024-07-06', '09:00')] })]);
    expect(r?.days).toHaveLength(31);
    expect(r?.allowance).toMatchObject({ totalBp: 0, payableAmount: 2_000_000, lines: [] });
    expect(r?.unassignedPunches).toBe(1); // the Saturday punch
  });

  it('keepDays: false gives the same allowance without records', () => {
    const e = base({ punches: fullDays(JULY_2024_WORKDAYS.slice(3)) });
    const [withDays] = run([e]);
    const [without] = run([e], false);
    expect(without?.days).toBeNull();
    expect(without?.allowance).toEqual(withDays?.allowance);
    expect(withDays?.allowance.absentDates).toEqual(['2024-07-01', '2024-07-02', '2024-07-03']);
  });

  it('pending kiosk dates are Pending, not TK, and block the lock', () => {
    const [r] = run([base({ punches: fullDays(JULY_2024_WORKDAYS.slice(1)), pendingDates: ['2024-07-01'] })]);
    expect(r?.days?.[0]?.status).toBe('Pending');
    expect(r?.allowance.totalBp).toBe(0);
    expect(r && lockMonth(r.allowance, '2024-08-01T00:00:00Z').ok).toBe(false);
  });

  it('applies leave and a schedule change during the month', () => {
    const late: WorkSchedule = {
      ...DEFAULT_OFFICE_SCHEDULE,
      id: 'late-start',
      pattern: {
        kind: 'Weekly',
        hours: { Mon: { start: '07:00', end: '15:30' }, Tue: { start: '07:00', end: '15:30' } },
      },
    };
    const ids = Array.from({ length: 31 }, (_, i) => (i < 15 ? DEFAULT_OFFICE_SCHEDULE.id : late.id));
    const [r] = run(
      [
        base({
          scheduleId: ids,
          punches: fullDays(JULY_2024_WORKDAYS.filter((d) => d !== '2024-07-02')),
          leaves: [
            { id: 'CT1', kind: 'AnnualLeave', from: '2024-07-02', to: '2024-07-02', approval: 'Approved' },
          ],
        }),
      ],
      true,
      [DEFAULT_OFFICE_SCHEDULE, late],
    );
    expect(r?.days?.[1]).toMatchObject({ status: 'Excused', codes: ['CT'] });
    expect(r?.days?.[15]).toMatchObject({ scheduleId: 'late-start', codes: ['TL1'] }); // Tue 16 July, 07:10 > 07:00
    expect(r?.days?.[17]?.status).toBe('OffDay'); // Thursday is off in the new schedule
  });

  it('feeds discipline: TK days and runs from the month records', () => {
    const [r] = run([base({ punches: fullDays(JULY_2024_WORKDAYS.slice(10)) })]);
    expect(summariseAbsence(r?.days ?? [], 2024)).toEqual({ tkDays: 10, longestTkRun: 10 });
  });

  it('rejects unknown schedules and malformed input', () => {
    expect(() => run([base({ scheduleId: 'nope' })])).toThrow(DomainError);
    expect(() => run([base({ scheduleId: ['office-default'] })])).toThrow(/31 schedule ids/);
    expect(() => run([base({ punches: [Number.NaN] })])).toThrow(DomainError);
  });

  it('reasons read as plain text', () => {
    const [r] = run([base({ punches: [at('2024-07-01', '08:15'), at('2024-07-01', '16:10')] })]);
    expect(r?.days?.[0]?.reasons.map(describeReason)).toEqual(['late arrival 45 min']);
    expect(r?.days?.[1]?.reasons.map(describeReason)).toEqual(['no punch on a work day and no valid leave']);
  });
});

describe('closeMonth at province scale', () => {
  // Timing is measured by bench/rules.bench.ts, not asserted here (the machine is shared).
  it('closes a month for 10 000 employees × 23 work days', () => {
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const zones = [WIB, WITA, WIT];
    const employees: MonthCloseEmployee[] = Array.from({ length: 10_000 }, (_, i) => {
      const timeZone = zones[i % 3] ?? WIB;
      const punches: number[] = [];
      for (const d of JULY_2024_WORKDAYS) {
        const r = rnd();
        if (r < 0.03) continue; // TK
        const arrive = rnd() < 0.12 ? '07:45' : '07:05';
        punches.push(at(d, arrive, timeZone) + Math.floor(rnd() * 3_600_000));
        if (r > 0.05)
          punches.push(at(d, rnd() < 0.06 ? '15:00' : '16:35', timeZone) + Math.floor(rnd() * 1_800_000));
      }
      return {
        employeeId: `E${i}`,
        baseAmount: 3_000_000 + i,
        timeZone,
        scheduleId: DEFAULT_OFFICE_SCHEDULE.id,
        punches,
      };
    });
    run(employees.slice(0, 500)); // warm up the JIT
    const results = run(employees, false);
    expect(results).toHaveLength(10_000);
    expect(results.some((r) => r.allowance.totalBp > 0)).toBe(true);
    expect(results.every((r) => r.allowance.totalBp >= 0 && r.allowance.totalBp <= r.allowance.capBp)).toBe(
      true,
    );
  });
});
