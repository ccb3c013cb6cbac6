import { describe, expect, it } from 'vitest';
import { type Leave, ramadanPeriod, type WorkSchedule } from '../../backend/domain/index.ts';
import { at, bpOf, calendar, day } from './helpers.ts';

const MON = '2024-07-01';
const THU = '2024-07-04';
const FRI = '2024-07-05';
const SAT = '2024-07-06';

describe('late arrival (TL) brackets, Monday 07:30 start', () => {
  it.each([
    ['07:29:00', 0, []],
    ['07:30:00', 0, []],
    ['07:30:59', 0, []],
    ['07:31:00', 1, ['TL1']],
    ['08:00:00', 30, ['TL1']],
    ['08:00:59', 30, ['TL1']],
    ['08:01:00', 31, ['TL2']],
    ['08:30:00', 60, ['TL2']],
    ['08:31:00', 61, ['TL3']],
    ['09:00:00', 90, ['TL3']],
    ['09:01:00', 91, ['TL4']],
    ['11:00:00', 210, ['TL4']],
  ])('arrival %s → %i min late, codes %j', (arrival, minutes, codes) => {
    const rec = day(MON, { times: [arrival, '16:05'] });
    expect(rec.status).toBe('Present');
    expect(rec.lateMinutes).toBe(minutes);
    expect(rec.countedLateMinutes).toBe(minutes);
    expect(rec.codes).toEqual(codes);
  });

  it.each([
    ['TL1', 50],
    ['TL2', 100],
    ['TL3', 125],
    ['TL4', 150],
  ])('%s deducts %i bp', (code, bp) => {
    const arrival = { TL1: '07:45', TL2: '08:15', TL3: '08:45', TL4: '09:15' }[code] as string;
    const rec = day(MON, { times: [arrival, '16:00'] });
    expect(rec.codes).toEqual([code]);
    expect(rec.deductionBp).toBe(bp);
  });
});

describe('early departure (PSW) brackets, Monday 16:00 end', () => {
  it.each([
    ['16:30:00', 0, [], 0],
    ['16:00:00', 0, [], 0],
    ['15:59:59', 1, ['PSW1'], 50],
    ['15:59:00', 1, ['PSW1'], 50],
    ['15:30:00', 30, ['PSW1'], 50],
    ['15:29:59', 31, ['PSW2'], 100],
    ['15:29:00', 31, ['PSW2'], 100],
    ['15:00:00', 60, ['PSW2'], 100],
    ['14:59:00', 61, ['PSW3'], 125],
    ['14:30:00', 90, ['PSW3'], 125],
    ['14:29:00', 91, ['PSW4'], 150],
  ])('departure %s → %i min early, codes %j (%i bp)', (departure, minutes, codes, bp) => {
    const rec = day(MON, { times: ['07:15', departure] });
    expect(rec.earlyMinutes).toBe(minutes);
    expect(rec.codes).toEqual(codes);
    expect(rec.deductionBp).toBe(bp);
  });

  it('a day carries both TL and PSW; both deductions apply', () => {
    const rec = day(MON, { times: ['08:10', '15:20'] });
    expect(rec.codes).toEqual(['TL2', 'PSW2']);
    expect(rec.deductionBp).toBe(200);
  });
});

describe('Friday and special periods', () => {
  it('Friday ends at 16:30: 16:15 is early on Friday but not on Thursday', () => {
    expect(day(FRI, { times: ['07:20', '16:15'] }).codes).toEqual(['PSW1']);
    expect(day(FRI, { times: ['07:20', '16:15'] }).earlyMinutes).toBe(15);
    expect(day(FRI, { times: ['07:20', '16:30'] }).codes).toEqual([]);
    expect(day(THU, { times: ['07:20', '16:15'] }).codes).toEqual([]);
  });

  it('Saturday is a day off: no code, punches ignored', () => {
    const rec = day(SAT, { times: ['08:00'] });
    expect(rec.status).toBe('OffDay');
    expect(rec.codes).toEqual([]);
    expect(rec.ignoredPunches).toEqual([expect.objectContaining({ reason: 'NotAWorkDay' })]);
  });

  const ramadan = calendar({ specialPeriods: [ramadanPeriod('2025-03-01', '2025-03-30')] });
  it.each([
    ['2025-03-03', '08:00:59', '15:00', []],
    ['2025-03-03', '08:01:00', '15:00', ['TL1']],
    ['2025-03-03', '07:50', '14:59:59', ['PSW1']],
    ['2025-03-07', '07:50', '15:30', []],
    ['2025-03-07', '07:50', '15:00', ['PSW1']],
  ])('Ramadan %s: %s–%s → %j', (date, arrival, departure, codes) => {
    const rec = day(date, { calendar: ramadan, times: [arrival, departure] });
    expect(rec.codes).toEqual(codes);
    expect(rec.reasons).toContainEqual({ code: 'SpecialPeriodHours', ref: 'ramadan-2025' });
  });

  it('after Ramadan the usual hours return', () => {
    expect(day('2025-04-14', { calendar: ramadan, times: ['08:00', '15:00'] }).codes).toEqual([
      'TL1',
      'PSW2',
    ]);
  });
});

describe('holidays and leave', () => {
  const cal = calendar({
    holidays: [
      { date: '2024-05-09', name: 'Kenaikan Isa Almasih', kind: 'NationalHoliday' },
      { date: '2024-05-10', name: 'Cuti bersama', kind: 'CollectiveLeave' },
    ],
  });

  it('a national holiday is not a work day: no punch, no TK', () => {
    const rec = day('2024-05-09', { calendar: cal });
    expect(rec.status).toBe('Holiday');
    expect(rec.deductionBp).toBe(0);
    expect(rec.reasons).toEqual([{ code: 'NationalHoliday', ref: 'Kenaikan Isa Almasih' }]);
  });

  it('collective leave (cuti bersama) is not a work day', () => {
    expect(day('2024-05-10', { calendar: cal }).status).toBe('Holiday');
    expect(day('2024-05-10', { calendar: cal }).reasons[0]?.code).toBe('CollectiveLeave');
  });

  it('a 24-hour service that does not observe holidays works on them', () => {
    const schedule: WorkSchedule = {
      id: 'ward',
      name: 'Ward',
      pattern: { kind: 'Weekly', hours: { Thu: { start: '07:00', end: '14:00' } } },
      punchWindow: { kind: 'Relative', beforeStartMinutes: 60, afterEndMinutes: 120 },
      observesHolidays: false,
      followsSpecialPeriods: false,
    };
    expect(day('2024-05-09', { calendar: cal, schedule }).codes).toEqual(['TK']);
  });

  const leave = (over: Partial<Leave>): Leave => ({
    id: 'L1',
    kind: 'AnnualLeave',
    from: MON,
    to: MON,
    approval: 'Approved',
    ...over,
  });

  it.each([
    ['AnnualLeave', 'CT'],
    ['SickLeave', 'CS'],
    ['OfficialTravel', 'DL'],
    ['DutyOutside', 'TD'],
  ])('approved %s excuses the day with code %s and no deduction', (kind, code) => {
    const rec = day(MON, { leaves: [leave({ kind })] });
    expect(rec).toMatchObject({ status: 'Excused', excused: true, codes: [code], deductionBp: 0 });
    expect(rec.reasons).toContainEqual({ code: 'LeaveApproved', ref: 'L1' });
  });

  it.each(['Pending', 'Rejected', 'Cancelled'] as const)('%s leave is not excused: TK', (approval) => {
    const rec = day(MON, { leaves: [leave({ approval })] });
    expect(rec).toMatchObject({ status: 'Absent', excused: false, codes: ['TK'], deductionBp: 300 });
    expect(rec.reasons).toContainEqual({ code: 'LeaveNotApproved', ref: `L1:${approval}` });
  });

  it('sick leave beyond two days needs a letter', () => {
    const sick = leave({ kind: 'SickLeave', from: MON, to: '2024-07-05' });
    expect(day('2024-07-02', { leaves: [sick] }).status).toBe('Excused');
    expect(day('2024-07-03', { leaves: [sick] }).codes).toEqual(['TK']);
    expect(day('2024-07-03', { leaves: [sick] }).reasons).toContainEqual({
      code: 'LeaveNeedsDocument',
      ref: 'L1',
    });
    expect(day('2024-07-03', { leaves: [{ ...sick, documented: true }] }).status).toBe('Excused');
  });

  it('a leave kind unknown to the profile does not excuse', () => {
    expect(day(MON, { leaves: [leave({ kind: 'Sabbatical' })] }).codes).toEqual(['TK']);
  });

  it('permits for late arrival / early departure waive TL / PSW only', () => {
    const late = leave({ part: 'LateArrival', kind: 'DutyOutside' });
    const early = leave({ id: 'L2', part: 'EarlyDeparture', kind: 'DutyOutside' });
    expect(day(MON, { times: ['10:00', '16:00'], leaves: [late] })).toMatchObject({
      codes: [],
      excused: true,
    });
    expect(day(MON, { times: ['10:00', '14:00'], leaves: [late] }).codes).toEqual(['PSW4']);
    expect(day(MON, { times: ['10:00', '14:00'], leaves: [late, early] }).codes).toEqual([]);
    expect(day(MON, { times: ['13:00'], leaves: [late] }).codes).toEqual(['PSW4']);
  });
});

describe('missing punches, TK and pending kiosks', () => {
  it('one punch after the midpoint is the departure: no clock-in → TL4', () => {
    const rec = day(MON, { times: ['16:05'] });
    expect(rec).toMatchObject({
      arrival: null,
      departure: at(MON, '16:05'),
      codes: ['TL4'],
      deductionBp: 150,
    });
    expect(rec.reasons).toContainEqual({ code: 'MissingClockIn' });
  });

  it('one punch at 13:00: no clock-in (TL4) and early departure (PSW4)', () => {
    expect(day(MON, { times: ['13:00'] }).codes).toEqual(['TL4', 'PSW4']);
  });

  it('one morning punch is the arrival: no clock-out → PSW4', () => {
    const rec = day(MON, { times: ['07:20'] });
    expect(rec).toMatchObject({
      arrival: at(MON, '07:20'),
      departure: null,
      codes: ['PSW4'],
      deductionBp: 150,
    });
    expect(rec.reasons).toContainEqual({ code: 'MissingClockOut' });
  });

  it('the midpoint (11:45) itself counts as departure', () => {
    expect(day(MON, { times: ['11:44:59'] }).codes).toEqual(['TL4', 'PSW4']);
    expect(day(MON, { times: ['11:44:59'] }).arrival).not.toBeNull();
    expect(day(MON, { times: ['11:45:00'] }).departure).not.toBeNull();
  });

  it('no punch, no leave, work day → TK 3%', () => {
    const rec = day(MON);
    expect(rec).toMatchObject({ status: 'Absent', codes: ['TK'], deductionBp: 300, excused: false });
    expect(rec.reasons).toEqual([{ code: 'NoPunches' }]);
  });

  it('no punch while a kiosk still has unsent punches → Pending, not TK', () => {
    const rec = day(MON, { pendingPunches: true });
    expect(rec).toMatchObject({ status: 'Pending', codes: [], deductionBp: 0, provisional: true });
  });

  it('late-arriving offline punches turn a TK day into TL2 on recomputation', () => {
    const before = day(MON, { times: [] });
    expect(before.codes).toEqual(['TK']);
    // The kiosk was offline all day; its outbox delivers both punches the next morning.
    const after = day(MON, { times: ['08:15', '16:10'] });
    expect(after).toMatchObject({ status: 'Present', codes: ['TL2'], lateMinutes: 45, deductionBp: 100 });
    // Had only the arrival been captured, the day would also lack a clock-out.
    expect(day(MON, { times: ['08:15'] }).codes).toEqual(['TL2', 'PSW4']);
  });

  it('punches outside the 06:00–18:00 window are ignored with a reason', () => {
    const rec = day(MON, { times: ['05:59:59', '07:10', '18:00:01'] });
    expect(rec.arrival).toBe(at(MON, '07:10'));
    expect(rec.codes).toEqual(['PSW4']);
    expect(rec.ignoredPunches.map((p) => p.reason)).toEqual(['OutsideWindow', 'OutsideWindow']);
  });

  it('an open day (asOf before the window closes) has no PSW or TK yet', () => {
    expect(day(MON, { asOf: at(MON, '09:00') })).toMatchObject({ status: 'Open', codes: [] });
    const live = day(MON, { times: ['07:42'], asOf: at(MON, '09:00') });
    expect(live).toMatchObject({ status: 'Open', codes: ['TL1'], lateMinutes: 12, provisional: true });
  });
});

describe('determinism', () => {
  it('duplicate punches are ignored and punch order does not matter', () => {
    const punches = [at(MON, '16:01'), at(MON, '07:40'), at(MON, '07:40'), at(MON, '12:00')];
    const a = day(MON, { punches });
    const b = day(MON, { punches: [...punches].reverse() });
    expect(a).toEqual(b);
    expect(a.ignoredPunches).toEqual([
      { at: at(MON, '07:40'), reason: 'Duplicate' },
      { at: at(MON, '12:00'), reason: 'Intermediate' },
    ]);
    expect(bpOf(a, 'TL1')).toBe(50);
  });
});
