import { describe, expect, it } from 'vitest';
import {
  computeMonthlyAllowance,
  type DailyRecord,
  DEFAULT_POLICY_PROFILE,
  parsePolicyProfile,
} from '../../backend/domain/index.ts';
import { at, day, profileWith } from './helpers.ts';

const MON = '2024-07-01';

describe('profile variants, expressed as data and validated by the schema', () => {
  const valid = (p: unknown) => {
    const parsed = parsePolicyProfile(JSON.parse(JSON.stringify(p)));
    expect(parsed.ok ? [] : parsed.issues).toEqual([]);
  };

  it('TK 4% (and 5%)', () => {
    for (const bp of [400, 500]) {
      const profile = profileWith((p) => {
        p.absent.deductionBp = bp;
      });
      valid(profile);
      expect(day(MON, { profile }).deductionBp).toBe(bp);
    }
  });

  it('TL4 2.5% (and 2%), also for a missing clock-in', () => {
    const profile = profileWith((p) => {
      const tl4 = p.late.brackets[3];
      if (tl4) tl4.deductionBp = 250;
      p.missingClockIn.deductionBp = 250;
    });
    valid(profile);
    expect(day(MON, { profile, times: ['09:31', '16:00'] }).deductionBp).toBe(250);
    expect(day(MON, { profile, times: ['16:00'] }).deductionBp).toBe(250);
  });

  it('a 5-minute grace period (lateness counted from the start once exceeded)', () => {
    const profile = profileWith((p) => {
      p.late.graceMinutes = 5;
    });
    valid(profile);
    const on = day(MON, { profile, times: ['07:35:59', '16:00'] });
    expect(on).toMatchObject({ lateMinutes: 5, countedLateMinutes: 0, codes: [] });
    expect(on.reasons).toContainEqual({ code: 'WithinGracePeriod', minutes: 5 });
    expect(day(MON, { profile, times: ['07:36:00', '16:00'] })).toMatchObject({
      countedLateMinutes: 6,
      codes: ['TL1'],
    });
  });

  it('a 5-minute grace period counted from the end of the grace', () => {
    const profile = profileWith((p) => {
      p.late.graceMinutes = 5;
      p.late.graceCountsFrom = 'GraceEnd';
    });
    expect(day(MON, { profile, times: ['07:36:00', '16:00'] })).toMatchObject({
      countedLateMinutes: 1,
      codes: ['TL1'],
    });
    expect(day(MON, { profile, times: ['08:06:00', '16:00'] })).toMatchObject({
      countedLateMinutes: 31,
      codes: ['TL2'],
    });
  });

  describe('make up lateness the same day (up to 30 min, if the day’s hours are met)', () => {
    const profile = profileWith((p) => {
      p.late.makeUp = { enabled: true, maxLateMinutes: 30 };
    });
    it.each([
      ['07:50', '16:20', []], // 20 min late, 8.5 h worked
      ['07:50', '16:19:59', ['TL1']], // one second short of the hours
      ['08:00:59', '16:31', []], // 30 min late, made up
      ['08:01:00', '16:45', ['TL2']], // 31 min late: beyond the make-up limit
      ['07:50', '16:00', ['TL1']], // not made up
    ])('%s–%s → %j', (arrival, departure, codes) => {
      expect(day(MON, { profile, times: [arrival, departure] }).codes).toEqual(codes);
    });
    it('records why', () => {
      valid(profile);
      expect(day(MON, { profile, times: ['07:50', '16:20'] }).reasons).toContainEqual({
        code: 'LatenessMadeUp',
        minutes: 20,
      });
    });
  });

  describe('deductions only after more than N late days in the month', () => {
    const lateDays = ['2024-07-01', '2024-07-02', '2024-07-03', '2024-07-04', '2024-07-05'];
    const month = (profile = DEFAULT_POLICY_PROFILE, n = lateDays.length) =>
      computeMonthlyAllowance({
        employeeId: 'E1',
        month: '2024-07',
        baseAmount: 1_000_000,
        profiles: profile,
        days: lateDays
          .slice(0, n)
          .map((d): DailyRecord => day(d, { profile, punches: [at(d, '07:45'), at(d, '16:30')] })),
      });

    it('default: every late day counts', () => {
      expect(month().totalBp).toBe(250);
    });

    it('ExcessOnly, N = 3: the 4th and 5th late days are deducted', () => {
      const profile = profileWith((p) => {
        p.late.freeLateDays = { count: 3, mode: 'ExcessOnly' };
      });
      valid(profile);
      const m = month(profile);
      expect(m.lateDays).toBe(5);
      expect(m.totalBp).toBe(100);
      expect(m.lines.map((l) => l.note)).toEqual([
        'WithinFreeLateDays',
        'WithinFreeLateDays',
        'WithinFreeLateDays',
        null,
        null,
      ]);
      expect(month(profile, 3).totalBp).toBe(0);
    });

    it('AllWhenExceeded, N = 3: nothing up to 3 late days, all of them beyond', () => {
      const profile = profileWith((p) => {
        p.late.freeLateDays = { count: 3, mode: 'AllWhenExceeded' };
      });
      expect(month(profile, 3).totalBp).toBe(0);
      expect(month(profile, 3).lines.every((l) => l.note === 'LateDaysNotExceeded')).toBe(true);
      expect(month(profile, 4).totalBp).toBe(200);
    });

    it('free late days never waive PSW or TK', () => {
      const profile = profileWith((p) => {
        p.late.freeLateDays = { count: 3, mode: 'ExcessOnly' };
      });
      const m = computeMonthlyAllowance({
        employeeId: 'E1',
        month: '2024-07',
        baseAmount: 1_000_000,
        profiles: profile,
        days: [day('2024-07-01', { profile, times: ['07:45', '15:45'] }), day('2024-07-02', { profile })],
      });
      expect(m.lines.map((l) => [l.code, l.countedBp])).toEqual([
        ['TL1', 0],
        ['PSW1', 50],
        ['TK', 300],
      ]);
    });
  });

  it('a daily cap limits one day’s TL + PSW', () => {
    const profile = profileWith((p) => {
      p.dailyCapBp = 200;
    });
    const rec = day(MON, { profile, times: ['09:40', '13:00'] });
    expect(rec.codes).toEqual(['TL4', 'PSW4']);
    expect(rec.deductionBp).toBe(200);
    expect(rec.deductions.map((d) => d.bp)).toEqual([150, 50]);
  });
});
