import { describe, expect, it } from 'vitest';
import type { WorkSchedule } from '../../backend/domain/index.ts';
import { at, day, WIB, WIT, WITA } from './helpers.ts';

const MON = '2024-07-01';

describe('night shift across midnight (22:00–06:00)', () => {
  const night: WorkSchedule = {
    id: 'night',
    name: 'Night shift',
    pattern: {
      kind: 'Weekly',
      hours: { Mon: { start: '22:00', end: '06:00' }, Tue: { start: '22:00', end: '06:00' } },
    },
    punchWindow: { kind: 'Relative', beforeStartMinutes: 120, afterEndMinutes: 120 },
    observesHolidays: false,
    followsSpecialPeriods: false,
  };
  const TUE = '2024-07-02';

  it('punches on the next calendar day belong to the shift of the start date', () => {
    const rec = day(MON, { schedule: night, punches: [at(MON, '22:10'), at(TUE, '05:45')] });
    expect(rec).toMatchObject({
      status: 'Present',
      lateMinutes: 10,
      earlyMinutes: 15,
      codes: ['TL1', 'PSW1'],
    });
    expect(rec.scheduledEnd).toBe(at(TUE, '06:00'));
  });

  it('a departure after 06:00 next morning is on time; the morning of the start date is outside', () => {
    const rec = day(MON, {
      schedule: night,
      punches: [at(MON, '06:30'), at(MON, '21:50'), at(TUE, '06:30')],
    });
    expect(rec.codes).toEqual([]);
    expect(rec.ignoredPunches).toEqual([{ at: at(MON, '06:30'), reason: 'OutsideWindow' }]);
  });

  it('the next night does not take the previous shift punches, nor lists them: they are Monday’s', () => {
    const punches = [at(TUE, '05:45'), at(TUE, '22:00'), at('2024-07-03', '06:00'), at(TUE, '12:00')];
    const rec = day(TUE, { schedule: night, punches });
    expect(rec.codes).toEqual([]);
    // 12:00 on Tuesday is in no window: Tuesday's, outside its window.
    expect(rec.ignoredPunches).toEqual([{ at: at(TUE, '12:00'), reason: 'OutsideWindow' }]);
    expect(day(MON, { schedule: night, punches }).departure).toBe(at(TUE, '05:45'));
  });
});

describe('time zones: the same UTC instant gives different local lateness', () => {
  const instant = Date.UTC(2024, 6, 1, 0, 45); // 07:45 WIB, 08:45 WITA, 09:45 WIT
  const departure = Date.UTC(2024, 6, 1, 12, 0);
  it.each([
    [WIB, 15, 'TL1'],
    [WITA, 75, 'TL3'],
    [WIT, 135, 'TL4'],
  ])('%s → %i min late (%s)', (timeZone, minutes, code) => {
    const rec = day(MON, { timeZone, punches: [instant, departure + 9 * 3_600_000] });
    expect(rec.lateMinutes).toBe(minutes);
    expect(rec.codes[0]).toBe(code);
  });

  it('each zone starts its day at its own 07:30', () => {
    expect(day(MON, { timeZone: WITA }).scheduledStart).toBe(Date.UTC(2024, 6, 0, 23, 30));
    expect(day(MON, { timeZone: WIT }).scheduledStart).toBe(Date.UTC(2024, 6, 0, 22, 30));
    expect(day(MON, { timeZone: WIB }).scheduledStart).toBe(Date.UTC(2024, 6, 1, 0, 30));
  });
});
