import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  closeMonth,
  computeDailyStatus,
  type DailyRecord,
  DEFAULT_OFFICE_SCHEDULE,
  DEFAULT_POLICY_PROFILE,
  DUPLICATE_PUNCH_MINUTES,
  EMPTY_CALENDAR,
  type Leave,
  type PolicyProfile,
  type WorkSchedule,
} from '../../backend/domain/index.ts';
import { at, WIB, WIT, WITA } from './helpers.ts';

const MON = '2024-07-01';
const WINDOW_START = at(MON, '06:00');
const WINDOW_MS = 12 * 3_600_000;

/** A punch inside Monday's 06:00–18:00 window, with millisecond precision. */
const punchInWindow = fc.integer({ min: 0, max: WINDOW_MS }).map((ms) => WINDOW_START + ms);

const bp = fc.integer({ min: 0, max: 2000 });
const ascending4 = fc.tuple(bp, bp, bp, bp).map((xs) => [...xs].sort((a, b) => a - b));

/** Profiles with any percentages, cap, grace, make-up and free late days. */
const profileArb: fc.Arbitrary<PolicyProfile> = fc
  .record({
    late: ascending4,
    early: ascending4,
    absent: bp,
    cap: fc.integer({ min: 0, max: 10_000 }),
    dailyCap: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: null }),
    grace: fc.integer({ min: 0, max: 15 }),
    graceEnd: fc.boolean(),
    makeUp: fc.boolean(),
    free: fc.integer({ min: 0, max: 5 }),
    allWhenExceeded: fc.boolean(),
  })
  .map((r) => {
    const p = structuredClone(DEFAULT_POLICY_PROFILE) as PolicyProfile;
    p.late.brackets.forEach((b, i) => {
      b.deductionBp = r.late[i] ?? 0;
    });
    p.early.brackets.forEach((b, i) => {
      b.deductionBp = r.early[i] ?? 0;
    });
    p.missingClockIn.deductionBp = r.late[3] ?? 0;
    p.missingClockOut.deductionBp = r.early[3] ?? 0;
    p.absent.deductionBp = r.absent;
    p.monthlyCapBp = r.cap;
    p.dailyCapBp = r.dailyCap;
    p.late.graceMinutes = r.grace;
    p.late.graceCountsFrom = r.graceEnd ? 'GraceEnd' : 'ScheduledStart';
    p.late.makeUp = { enabled: r.makeUp, maxLateMinutes: 30 };
    p.late.freeLateDays = { count: r.free, mode: r.allWhenExceeded ? 'AllWhenExceeded' : 'ExcessOnly' };
    return p;
  });

const monday = (
  punches: readonly number[],
  profile: PolicyProfile = DEFAULT_POLICY_PROFILE,
  leaves: Leave[] = [],
) =>
  computeDailyStatus({
    workDate: MON,
    timeZone: WIB,
    schedule: DEFAULT_OFFICE_SCHEDULE,
    calendar: EMPTY_CALENDAR,
    profile,
    punches,
    leaves,
  });

const lateBp = (r: DailyRecord) =>
  r.deductions.filter((d) => d.kind === 'Late' || d.kind === 'MissingClockIn').reduce((s, d) => s + d.bp, 0);

const JULY_START = at('2024-07-01', '00:00');
const JULY_PUNCH = fc.integer({ min: -86_400_000, max: 32 * 86_400_000 }).map((ms) => JULY_START + ms);

describe('properties', () => {
  it('monthly deductions are never negative and never above the cap; lines add up', () => {
    fc.assert(
      fc.property(
        profileArb,
        fc.array(JULY_PUNCH, { maxLength: 80 }),
        fc.integer({ min: 0, max: 50_000_000 }),
        fc.subarray(['2024-07-02', '2024-07-09', '2024-07-16']),
        (profile, punches, baseAmount, pendingDates) => {
          const [r] = closeMonth({
            month: '2024-07',
            schedules: [DEFAULT_OFFICE_SCHEDULE],
            calendar: EMPTY_CALENDAR,
            profiles: profile,
            employees: [
              {
                employeeId: 'E',
                baseAmount,
                timeZone: WIB,
                scheduleId: DEFAULT_OFFICE_SCHEDULE.id,
                punches,
                pendingDates,
              },
            ],
          });
          const a = r?.allowance;
          if (!a) throw new Error('no result');
          expect(a.totalBp).toBeGreaterThanOrEqual(0);
          expect(a.totalBp).toBeLessThanOrEqual(a.capBp);
          expect(a.totalBp).toBeLessThanOrEqual(a.grossBp);
          expect(a.deductionAmount).toBeGreaterThanOrEqual(0);
          expect(a.deductionAmount).toBeLessThanOrEqual(Math.floor((baseAmount * a.capBp) / 10_000));
          expect(a.payableAmount).toBe(baseAmount - a.deductionAmount);
          for (const l of a.lines) {
            expect(l.countedBp).toBeGreaterThanOrEqual(0);
            expect(l.countedBp).toBeLessThanOrEqual(l.bp);
            expect(l.amount).toBeGreaterThanOrEqual(0);
          }
          expect(a.lines.reduce((s, l) => s + l.amount, 0)).toBe(a.deductionAmount);
          expect(a.lines.reduce((s, l) => s + l.countedBp, 0)).toBe(a.totalBp);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('adding an earlier arrival punch never increases lateness', () => {
    fc.assert(
      fc.property(
        profileArb,
        fc.array(punchInWindow, { minLength: 1, maxLength: 6 }),
        // At least DUPLICATE_PUNCH_MINUTES earlier: a punch that close before another makes it a repeat.
        fc.integer({ min: DUPLICATE_PUNCH_MINUTES * 60_000, max: WINDOW_MS }),
        (profile, punches, back) => {
          const earliest = Math.min(...punches);
          fc.pre(earliest - back >= WINDOW_START);
          const before = monday(punches, profile);
          const after = monday([...punches, earliest - back], profile);
          expect(after.arrival).not.toBeNull();
          if (before.arrival !== null) {
            expect(after.lateMinutes ?? 0).toBeLessThanOrEqual(before.lateMinutes ?? 0);
            expect(after.countedLateMinutes).toBeLessThanOrEqual(before.countedLateMinutes);
          }
          expect(lateBp(after)).toBeLessThanOrEqual(lateBp(before));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('the day does not depend on the order punches arrive in', () => {
    const punches = fc.array(fc.oneof(punchInWindow, fc.constant(at(MON, '07:45'))), { maxLength: 8 });
    fc.assert(
      fc.property(
        profileArb,
        punches.chain((ps) => fc.tuple(fc.constant(ps), fc.shuffledSubarray(ps, { minLength: ps.length }))),
        (profile, [original, shuffled]) => {
          expect(monday(shuffled, profile)).toEqual(monday(original, profile));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the month does not depend on punch order either', () => {
    fc.assert(
      fc.property(
        fc
          .array(JULY_PUNCH, { maxLength: 60 })
          .chain((ps) => fc.tuple(fc.constant(ps), fc.shuffledSubarray(ps, { minLength: ps.length }))),
        ([a, b]) => {
          const run = (punches: number[]) =>
            closeMonth({
              month: '2024-07',
              schedules: [DEFAULT_OFFICE_SCHEDULE],
              calendar: EMPTY_CALENDAR,
              profiles: DEFAULT_POLICY_PROFILE,
              employees: [
                {
                  employeeId: 'E',
                  baseAmount: 1_000_000,
                  timeZone: WIT,
                  scheduleId: 'office-default',
                  punches,
                },
              ],
            });
          expect(run(b)).toEqual(run(a));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('the fast month path gives the same days as computeDailyStatus', () => {
    const night: WorkSchedule = {
      id: 'night',
      name: 'Night',
      pattern: {
        kind: 'Cycle',
        anchorDate: '2024-07-01',
        slots: [{ start: '22:00', end: '06:00' }, { start: '07:00', end: '14:00' }, null],
      },
      punchWindow: { kind: 'Relative', beforeStartMinutes: 180, afterEndMinutes: 180 },
      observesHolidays: false,
      followsSpecialPeriods: false,
    };
    const schedules = [DEFAULT_OFFICE_SCHEDULE, night];
    fc.assert(
      fc.property(
        fc.constantFrom(...schedules),
        fc.constantFrom(WIB, WITA, WIT),
        fc.array(JULY_PUNCH, { maxLength: 80 }),
        (schedule, timeZone, punches) => {
          const [r] = closeMonth({
            month: '2024-07',
            schedules,
            calendar: EMPTY_CALENDAR,
            profiles: DEFAULT_POLICY_PROFILE,
            employees: [
              { employeeId: 'E', baseAmount: 1_000_000, timeZone, scheduleId: schedule.id, punches },
            ],
          });
          for (const fast of r?.days ?? []) {
            const slow = computeDailyStatus({
              workDate: fast.workDate,
              timeZone,
              schedule,
              calendar: EMPTY_CALENDAR,
              profile: DEFAULT_POLICY_PROFILE,
              punches,
            });
            expect(fast).toEqual(slow);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
