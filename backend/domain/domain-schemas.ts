/**
 * zod schemas for the domain's other plain-data inputs (schedules, calendar,
 * leave, schedule assignments), so REST and import code validate them the same
 * way. Each is typed against the domain type it produces.
 */
import { z } from 'zod';
import type { Calendar, Holiday, SpecialPeriod } from './calendar.ts';
import type { Leave } from './leave.ts';
import { isClockTime, isIsoDate, WEEKDAYS } from './local-date.ts';
import type { ScheduleAssignment, WorkSchedule } from './schedule.ts';
import type { ShiftTime, WeeklyHours } from './working-hours.ts';

const isoDate = z.string().refine(isIsoDate, 'must be a valid date YYYY-MM-DD');
const clock = z.string().refine(isClockTime, 'must be a clock time HH:MM');
const minutes = z
  .number()
  .int()
  .min(0)
  .max(24 * 60);

export const shiftTimeSchema: z.ZodType<ShiftTime> = z.object({
  start: clock,
  end: clock.describe('at or before start = next day'),
  breakMinutes: minutes.optional(),
});

const weekday = z.enum(WEEKDAYS as [string, ...string[]]);
export const weeklyHoursSchema: z.ZodType<WeeklyHours> = z.partialRecord(weekday, shiftTimeSchema);

export const workScheduleSchema: z.ZodType<WorkSchedule> = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  pattern: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('Weekly'), hours: weeklyHoursSchema }),
    z.object({
      kind: z.literal('Cycle'),
      anchorDate: isoDate,
      slots: z.array(shiftTimeSchema.nullable()).min(1),
    }),
    z.object({ kind: z.literal('Dated'), days: z.record(isoDate, shiftTimeSchema.nullable()) }),
  ]),
  punchWindow: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('Absolute'), from: clock, to: clock }),
    z.object({ kind: z.literal('Relative'), beforeStartMinutes: minutes, afterEndMinutes: minutes }),
  ]),
  observesHolidays: z.boolean(),
  followsSpecialPeriods: z.boolean(),
});

export const holidaySchema: z.ZodType<Holiday> = z.object({
  date: isoDate,
  name: z.string().min(1),
  kind: z.enum(['NationalHoliday', 'CollectiveLeave', 'RegionalHoliday']),
});

export const specialPeriodSchema: z.ZodType<SpecialPeriod> = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    kind: z.enum(['Ramadan', 'Other']),
    from: isoDate,
    to: isoDate,
    hours: weeklyHoursSchema,
  })
  .refine((p) => p.from <= p.to, { message: 'from must not be after to', path: ['to'] });

export const calendarSchema: z.ZodType<Calendar> = z.object({
  holidays: z.array(holidaySchema),
  specialPeriods: z.array(specialPeriodSchema),
});

export const leaveSchema: z.ZodType<Leave> = z
  .object({
    id: z.string().min(1),
    kind: z.string().min(1),
    from: isoDate,
    to: isoDate,
    part: z.enum(['FullDay', 'LateArrival', 'EarlyDeparture']).optional(),
    approval: z.enum(['Pending', 'Approved', 'Rejected', 'Cancelled']),
    documented: z.boolean().optional(),
  })
  .refine((l) => l.from <= l.to, { message: 'from must not be after to', path: ['to'] });

export const scheduleAssignmentSchema: z.ZodType<ScheduleAssignment> = z
  .object({
    scheduleId: z.string().min(1),
    target: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('Employee'), employeeId: z.string().min(1) }),
      z.object({ kind: z.literal('Unit'), unitId: z.string().min(1) }),
    ]),
    effectiveFrom: isoDate,
    effectiveTo: isoDate.nullable(),
  })
  .refine((a) => a.effectiveTo === null || a.effectiveFrom <= a.effectiveTo, {
    message: 'effectiveFrom must not be after effectiveTo',
    path: ['effectiveTo'],
  });
