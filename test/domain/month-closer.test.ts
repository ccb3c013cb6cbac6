/**
 * `monthCloser`, the month close one employee at a time, and its `offDayRecords: false` (what the
 * month close service writes from): the same records and allowance as `closeMonth`, less the
 * days off, whose dates come back in `offDates`; holidays keep their records.
 */
import { describe, expect, it } from 'vitest';
import {
  type Calendar,
  closeMonth,
  DEFAULT_OFFICE_SCHEDULE,
  DEFAULT_POLICY_PROFILE,
  type MonthCloseEmployee,
  type MonthCloseSetup,
  monthCloser,
} from '../../backend/domain/index.ts';
import { at, JULY_2024_WORKDAYS } from './helpers.ts';

const calendar: Calendar = {
  holidays: [{ date: '2024-07-08', name: 'Tahun Baru Islam', kind: 'NationalHoliday' }],
  specialPeriods: [],
};
const setup: MonthCloseSetup = {
  month: '2024-07',
  schedules: [DEFAULT_OFFICE_SCHEDULE],
  calendar,
  profiles: DEFAULT_POLICY_PROFILE,
};
const employees: MonthCloseEmployee[] = [0, 1, 2].map((k) => ({
  employeeId: `E${k}`,
  baseAmount: 3_000_000 + k,
  timeZone: 'Asia/Jakarta',
  scheduleId: DEFAULT_OFFICE_SCHEDULE.id,
  // Late on every k-th day, absent on the 3rd work day, a punch on a Saturday and on the holiday.
  punches: [
    ...JULY_2024_WORKDAYS.filter((_, i) => i !== 2).flatMap((d, i) => [
      at(d, k > 0 && i % k === 0 ? '08:05' : '07:20'),
      at(d, '16:10'),
    ]),
    at('2024-07-06', '09:00'),
    at('2024-07-08', '09:00'),
  ],
}));

describe('monthCloser', () => {
  it('closes one employee at a time exactly as closeMonth does', () => {
    const one = monthCloser(setup);
    expect(employees.map((e) => one(e))).toEqual(closeMonth({ ...setup, employees }));
  });

  it('offDayRecords: false leaves the days off out and lists their dates, but a day off with a punch stays', () => {
    const all = closeMonth({ ...setup, employees });
    const one = monthCloser({ ...setup, offDayRecords: false });
    for (const [i, e] of employees.entries()) {
      const full = all[i];
      const lean = one(e);
      const offDays = full?.days?.filter((d) => d.status === 'OffDay') ?? [];
      expect(offDays).toHaveLength(8);
      // Saturday the 6th: its 09:00 punch is listed on it (no punch vanishes).
      const punched = (d: { ignoredPunches: readonly unknown[] }) => d.ignoredPunches.length > 0;
      expect(offDays.filter(punched).map((d) => [d.workDate, d.ignoredPunches])).toEqual([
        ['2024-07-06', [{ at: at('2024-07-06', '09:00'), reason: 'NotAWorkDay' }]],
      ]);
      expect(lean.days).toEqual(full?.days?.filter((d) => d.status !== 'OffDay' || punched(d)));
      expect(lean.days?.find((d) => d.workDate === '2024-07-08')?.status).toBe('Holiday');
      expect(lean.offDates).toEqual(offDays.filter((d) => !punched(d)).map((d) => d.workDate));
      expect(lean.allowance).toEqual(full?.allowance);
      expect(lean.unassignedPunches).toBe(full?.unassignedPunches);
    }
  });

  it('keepDays: false has neither records nor off dates', () => {
    const [r] = closeMonth({ ...setup, employees, keepDays: false, offDayRecords: false });
    expect(r?.days).toBeNull();
    expect(r?.offDates).toBeUndefined();
  });
});
