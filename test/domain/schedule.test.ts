import { describe, expect, it } from 'vitest';
import {
  addDays,
  DEFAULT_OFFICE_HOURS,
  DEFAULT_OFFICE_SCHEDULE,
  DomainError,
  datesOfMonth,
  EMPTY_CALENDAR,
  formatLocalTime,
  indexCalendar,
  localDateOf,
  planDay,
  RAMADAN_HOURS,
  resolveScheduleId,
  type ScheduleAssignment,
  type WorkSchedule,
  weekdayOf,
  weeklyNetMinutes,
  zoneAbbreviation,
  zoneOffsetMinutes,
} from '../../backend/domain/index.ts';
import { at, day, WIB, WIT, WITA } from './helpers.ts';

describe('time zones', () => {
  it('fixed offsets for WIB, WITA, WIT; Intl fallback agrees', () => {
    expect([WIB, WITA, WIT].map((z) => [zoneAbbreviation(z), zoneOffsetMinutes(z)])).toEqual([
      ['WIB', 420],
      ['WITA', 480],
      ['WIT', 540],
    ]);
    expect(zoneOffsetMinutes('Asia/Pontianak')).toBe(420);
    expect(zoneOffsetMinutes('Asia/Ujung_Pandang', 0)).toBe(480); // alias, via Intl
    expect(zoneOffsetMinutes('UTC', 0)).toBe(0);
    expect(() => zoneOffsetMinutes('Mars/Olympus')).toThrow(DomainError);
  });

  it('local dates and times of an instant', () => {
    const instant = Date.UTC(2024, 6, 1, 16, 30); // 23:30 WIB, 00:30 WITA next day
    expect(localDateOf(instant, WIB)).toBe('2024-07-01');
    expect(localDateOf(new Date(instant), WITA)).toBe('2024-07-02');
    expect(formatLocalTime(instant, 540)).toBe('01:30:00');
  });
});

describe('dates', () => {
  it('weekdays, month dates and validation', () => {
    expect(weekdayOf('2024-07-01')).toBe('Mon');
    expect(weekdayOf('1970-01-01')).toBe('Thu');
    expect(datesOfMonth('2024-02')).toHaveLength(29);
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(() => addDays('2024-02-30', 1)).toThrow(DomainError);
  });
});

describe('weekly hours', () => {
  it('default office hours make 37.5 h, Ramadan 32.5 h', () => {
    expect(weeklyNetMinutes(DEFAULT_OFFICE_HOURS)).toBe(37.5 * 60);
    expect(weeklyNetMinutes(RAMADAN_HOURS)).toBe(32.5 * 60);
  });
});

describe('schedules', () => {
  const cal = indexCalendar(EMPTY_CALENDAR);

  it('plans a day with the 06:00–18:00 window and 11:45 midpoint', () => {
    const plan = planDay(DEFAULT_OFFICE_SCHEDULE, '2024-07-01', WIB, cal);
    expect(plan).toMatchObject({
      kind: 'Work',
      start: at('2024-07-01', '07:30'),
      end: at('2024-07-01', '16:00'),
      midpoint: at('2024-07-01', '11:45'),
      windowStart: at('2024-07-01', '06:00'),
      windowEnd: at('2024-07-01', '18:00'),
    });
  });

  it('a 24 h on / 48 h off cycle (fire brigade)', () => {
    const brigade: WorkSchedule = {
      id: 'damkar',
      name: 'Fire brigade',
      pattern: {
        kind: 'Cycle',
        anchorDate: '2024-07-01',
        slots: [{ start: '08:00', end: '08:00' }, null, null],
      },
      punchWindow: { kind: 'Relative', beforeStartMinutes: 90, afterEndMinutes: 180 },
      observesHolidays: false,
      followsSpecialPeriods: false,
    };
    expect(planDay(brigade, '2024-07-04', WIB, cal)).toMatchObject({
      kind: 'Work',
      end: at('2024-07-05', '08:00'),
    });
    expect(planDay(brigade, '2024-06-30', WIB, cal)).toMatchObject({ kind: 'Off', reason: 'RosterOff' });
    const rec = day('2024-07-04', {
      schedule: brigade,
      punches: [at('2024-07-04', '07:55'), at('2024-07-05', '08:02')],
    });
    expect(rec.codes).toEqual([]);
  });

  it('a dated roster with a morning shift after a night shift splits the overlapping windows', () => {
    const roster: WorkSchedule = {
      id: 'ward-roster',
      name: 'Ward roster',
      pattern: {
        kind: 'Dated',
        days: {
          '2024-07-01': { start: '22:00', end: '06:00' },
          '2024-07-02': { start: '07:00', end: '14:00' },
        },
      },
      punchWindow: { kind: 'Relative', beforeStartMinutes: 120, afterEndMinutes: 120 },
      observesHolidays: false,
      followsSpecialPeriods: false,
    };
    // Split halfway between 06:00 and 07:00: 06:29 leaves the night shift, 06:31 arrives for the morning.
    const punches = [
      at('2024-07-01', '22:00'),
      at('2024-07-02', '06:29'),
      at('2024-07-02', '06:31'),
      at('2024-07-02', '14:00'),
    ];
    expect(day('2024-07-01', { schedule: roster, punches })).toMatchObject({
      codes: [],
      departure: punches[1],
    });
    expect(day('2024-07-02', { schedule: roster, punches })).toMatchObject({
      codes: [],
      arrival: punches[2],
    });
  });

  it('resolves employee over unit over parent unit, latest effective date first', () => {
    const a = (
      scheduleId: string,
      target: ScheduleAssignment['target'],
      from: string,
      to: string | null = null,
    ) => ({
      scheduleId,
      target,
      effectiveFrom: from,
      effectiveTo: to,
    });
    const list: ScheduleAssignment[] = [
      a('parent', { kind: 'Unit', unitId: 'dinkes' }, '2024-01-01'),
      a('unit-old', { kind: 'Unit', unitId: 'rsud' }, '2024-01-01'),
      a('unit-new', { kind: 'Unit', unitId: 'rsud' }, '2024-07-01'),
      a('personal', { kind: 'Employee', employeeId: 'E1' }, '2024-07-10', '2024-07-20'),
    ];
    const subject = { employeeId: 'E1', unitIds: ['rsud', 'dinkes'] };
    expect(resolveScheduleId(list, subject, '2024-06-30')).toBe('unit-old');
    expect(resolveScheduleId(list, subject, '2024-07-01')).toBe('unit-new');
    expect(resolveScheduleId(list, subject, '2024-07-15')).toBe('personal');
    expect(resolveScheduleId(list, subject, '2024-07-21')).toBe('unit-new');
    expect(
      resolveScheduleId(list, { employeeId: 'E2', unitIds: ['puskesmas', 'dinkes'] }, '2024-07-01'),
    ).toBe('parent');
    expect(resolveScheduleId(list, { employeeId: 'E3', unitIds: ['bkd'] }, '2024-07-01')).toBe(
      DEFAULT_OFFICE_SCHEDULE.id,
    );
  });
});
