/**
 * Which days a recompute computes: not the days that have not begun, but a day whose punch window
 * has opened already (a shift starting just after midnight, its arrival the evening before) is
 * computed at once, as the kiosk's screen already counted it.
 */
import { describe, expect, it } from 'vitest';
import type { DailyRecordRepository } from '../../backend/attendance/daily-record.repository.ts';
import type { LeaveRepository } from '../../backend/attendance/leave.repository.ts';
import type { PunchRepository } from '../../backend/attendance/punch.repository.ts';
import { computeDayChanges, punchDates } from '../../backend/attendance/recompute-days.ts';
import type { EmployeeFacts } from '../../backend/attendance/rules-config.repository.ts';
import type { RulesContext } from '../../backend/attendance/rules-context.ts';
import {
  DEFAULT_OFFICE_SCHEDULE,
  DEFAULT_POLICY_PROFILE,
  type IsoDate,
  type WorkSchedule,
} from '../../backend/domain/index.ts';

const EARLY: WorkSchedule = {
  id: 'early',
  name: 'Early shift 00:30–08:30',
  pattern: {
    kind: 'Weekly',
    hours: Object.fromEntries(
      (['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const).map((d) => [
        d,
        { start: '00:30', end: '08:30' },
      ]),
    ),
  },
  punchWindow: { kind: 'Relative', beforeStartMinutes: 120, afterEndMinutes: 120 },
  observesHolidays: false,
  followsSpecialPeriods: false,
};

const guard: EmployeeFacts = {
  nip: '199001012020121001',
  name: 'Penjaga',
  unitId: 'u1',
  siteId: 's1',
  superiorNip: null,
  baseAmount: null,
  positionClass: null,
  active: true,
  startDate: null,
  endDate: null,
  history: [],
};
const clerk: EmployeeFacts = { ...guard, nip: '199001012020121002', name: 'Staf' };

const ctx: RulesContext = {
  schedules: new Map([
    [DEFAULT_OFFICE_SCHEDULE.id, DEFAULT_OFFICE_SCHEDULE],
    [EARLY.id, EARLY],
  ]),
  assignments: [
    {
      scheduleId: 'early',
      target: { kind: 'Employee', employeeId: guard.nip },
      effectiveFrom: '2026-01-01',
      effectiveTo: null,
    },
  ],
  calendar: { holidays: [], specialPeriods: [] },
  profiles: [DEFAULT_POLICY_PROFILE],
  unitParents: new Map([['u1', null]]),
  siteZones: new Map([['s1', 'Asia/Jakarta']]),
  positionAmounts: new Map(),
  pendingSince: new Map(),
};

/** Repositories over fixed punches: nothing stored yet, no corrections, no leave. */
function deps(punches: Record<string, number[]>) {
  return {
    punches: {
      instants: async (nips: readonly string[]) => new Map(nips.map((n) => [n, punches[n] ?? []])),
      corrections: async () => [],
    } as unknown as PunchRepository,
    leaves: { byEmployee: async () => new Map() } as unknown as LeaveRepository,
    days: { forEmployees: async () => [] } as unknown as DailyRecordRepository,
  };
}

// Monday 30 November 2026, 23:50 WIB: the guard arrives for Tuesday's 00:30 shift.
const ARRIVAL = Date.parse('2026-11-30T23:50:00+07:00');
const NOW = ARRIVAL + 60_000;
const dirty = (nip: string) => new Map([[nip, new Set<IsoDate>(['2026-11-29', '2026-11-30', '2026-12-01'])]]);

describe('computeDayChanges: days not yet begun', () => {
  it('computes tomorrow when its punch window has opened: the arrival before midnight is on time for 00:30', async () => {
    const { changes } = await computeDayChanges(
      deps({ [guard.nip]: [ARRIVAL] }),
      [guard],
      dirty(guard.nip),
      ctx,
      NOW,
    );
    const tomorrow = changes.find((c) => c.after.workDate === '2026-12-01');
    expect(tomorrow?.after).toMatchObject({ arrival: ARRIVAL, lateMinutes: 0 });
    // The punch belongs to Tuesday's shift, not to Monday's (which it would have been late for).
    expect(changes.find((c) => c.after.workDate === '2026-11-30')?.after.arrival ?? null).toBeNull();
  });

  it('skips tomorrow while its window is still closed (office hours from 07:30)', async () => {
    const { changes, computed } = await computeDayChanges(deps({}), [clerk], dirty(clerk.nip), ctx, NOW);
    expect(changes.some((c) => c.after.workDate === '2026-12-01')).toBe(false);
    expect(computed).toBe(2);
  });
});

describe('punchDates: the days a new punch can change', () => {
  const wib = (local: string) => Date.parse(`${local}+07:00`);

  it("is the day whose window holds the punch: the guard's 23:50 arrival is Tuesday's, not Monday's", () => {
    // Its local date is Monday; Monday's window (22:30 Sunday to 10:30 Monday) is over.
    expect([...punchDates(ctx, guard, [{ at: ARRIVAL, date: '2026-11-30' }])]).toEqual(['2026-12-01']);
  });

  it("is the clerk's own day for office hours, and each day of two punches on two days", () => {
    const monday = { at: wib('2026-11-30T07:10:00'), date: '2026-11-30' };
    const tuesday = { at: wib('2026-12-01T16:20:00'), date: '2026-12-01' };
    expect([...punchDates(ctx, clerk, [monday])]).toEqual(['2026-11-30']);
    expect([...punchDates(ctx, clerk, [monday, tuesday])].sort()).toEqual(['2026-11-30', '2026-12-01']);
  });

  it('keeps the local date of a punch in no window (03:00 for office hours; a Saturday)', () => {
    expect([...punchDates(ctx, clerk, [{ at: wib('2026-12-01T03:00:00'), date: '2026-12-01' }])]).toEqual([
      '2026-12-01',
    ]);
    expect([...punchDates(ctx, clerk, [{ at: wib('2026-12-05T09:00:00'), date: '2026-12-05' }])]).toEqual([
      '2026-12-05',
    ]);
  });
});
