import { describe, expect, it } from 'vitest';
import {
  calendarSchema,
  DEFAULT_OFFICE_SCHEDULE,
  leaveSchema,
  ramadanPeriod,
  scheduleAssignmentSchema,
  workScheduleSchema,
} from '../../backend/domain/index.ts';

describe('input schemas', () => {
  it('accept the shipped defaults as JSON', () => {
    expect(workScheduleSchema.parse(JSON.parse(JSON.stringify(DEFAULT_OFFICE_SCHEDULE)))).toEqual(
      DEFAULT_OFFICE_SCHEDULE,
    );
    const cal = {
      holidays: [{ date: '2025-03-31', name: 'Idulfitri', kind: 'NationalHoliday' }],
      specialPeriods: [ramadanPeriod('2025-03-01', '2025-03-30')],
    };
    expect(calendarSchema.parse(cal)).toEqual(cal);
  });

  it('reject malformed schedules, leave and assignments', () => {
    const badShift = {
      ...DEFAULT_OFFICE_SCHEDULE,
      pattern: { kind: 'Weekly', hours: { Mon: { start: '7:30', end: '16:00' } } },
    };
    expect(workScheduleSchema.safeParse(badShift).success).toBe(false);
    expect(
      workScheduleSchema.safeParse({ ...DEFAULT_OFFICE_SCHEDULE, punchWindow: { kind: 'Relative' } }).success,
    ).toBe(false);
    const leave = {
      id: 'L',
      kind: 'AnnualLeave',
      from: '2024-07-02',
      to: '2024-07-01',
      approval: 'Approved',
    };
    expect(leaveSchema.safeParse(leave).success).toBe(false);
    expect(leaveSchema.safeParse({ ...leave, to: '2024-07-03' }).success).toBe(true);
    expect(leaveSchema.safeParse({ ...leave, to: '2024-07-03', approval: 'Maybe' }).success).toBe(false);
    const assignment = {
      scheduleId: 's',
      target: { kind: 'Unit', unitId: 'u' },
      effectiveFrom: '2024-07-01',
      effectiveTo: null,
    };
    expect(scheduleAssignmentSchema.safeParse(assignment).success).toBe(true);
    expect(scheduleAssignmentSchema.safeParse({ ...assignment, effectiveTo: '2024-06-01' }).success).toBe(
      false,
    );
  });
});
