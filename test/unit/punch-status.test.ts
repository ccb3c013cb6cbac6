/**
 * What the kiosk says right after a punch ("Tepat waktu", "Terlambat 12 menit", "Pulang lebih
 * awal 30 menit"), from the work hours the backend puts in the retained config: planned as the
 * rules engine plans each employee's days, and counted as the engine counts.
 */
import { describe, expect, it } from 'vitest';
import { kioskWorkHours } from '../../backend/attendance/kiosk-hours.ts';
import type { RulesContext } from '../../backend/attendance/rules-context.ts';
import {
  computeDailyStatus,
  DEFAULT_OFFICE_SCHEDULE,
  DEFAULT_POLICY_PROFILE,
  type WorkSchedule,
} from '../../backend/domain/index.ts';
import { ConfigPayload } from '../../protocol/index.ts';
import { formatScreenLine, statusText } from '../../terminal/kiosk-screen.ts';
import { ArrivalMemory, punchStatus } from '../../terminal/punch-status.ts';

const NIGHT: WorkSchedule = {
  id: 'night',
  name: 'Night shift 22:00–06:00',
  pattern: {
    kind: 'Weekly',
    hours: Object.fromEntries(
      (['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const).map((d) => [
        d,
        { start: '22:00', end: '06:00' },
      ]),
    ),
  },
  punchWindow: { kind: 'Relative', beforeStartMinutes: 120, afterEndMinutes: 240 },
  observesHolidays: false,
  followsSpecialPeriods: false,
};

function context(zone: string, over: Partial<RulesContext> = {}): RulesContext {
  return {
    schedules: new Map([
      [DEFAULT_OFFICE_SCHEDULE.id, DEFAULT_OFFICE_SCHEDULE],
      [NIGHT.id, NIGHT],
    ]),
    assignments: [],
    calendar: { holidays: [], specialPeriods: [] },
    profiles: [DEFAULT_POLICY_PROFILE],
    unitParents: new Map([['u1', null]]),
    siteZones: new Map([['s1', zone]]),
    positionAmounts: new Map(),
    pendingSince: new Map(),
    ...over,
  };
}

const nurse = { nip: '199001012020121001', unitId: 'u1' };
const clerk = { nip: '199001012020121002', unitId: 'u1' };
const clerk2 = { nip: '199001012020121003', unitId: 'u1' };
// Wednesday 25 November 2026, 06:00 WIB.
const NOW = Date.parse('2026-11-25T06:00:00+07:00');

describe('work hours in the kiosk config', () => {
  const ctx = context('Asia/Jakarta', {
    assignments: [
      {
        scheduleId: 'night',
        target: { kind: 'Employee', employeeId: nurse.nip },
        effectiveFrom: '2026-01-01',
        effectiveTo: null,
      },
    ],
    calendar: {
      holidays: [{ date: '2026-11-26', name: 'Test holiday', kind: 'NationalHoliday' }],
      specialPeriods: [],
    },
  });
  const hours = kioskWorkHours(ctx, 's1', [nurse, clerk, clerk2], NOW);

  it('covers yesterday and the coming week, one entry per distinct roster, the common one as default', () => {
    expect(hours.from).toBe('2026-11-24');
    expect(hours.to).toBe('2026-12-02');
    expect(Object.keys(hours.schedules)).toHaveLength(2);
    expect(hours.employees).toEqual({ [nurse.nip]: 's1' });
    const office = hours.schedules[hours.default] ?? [];
    // Tue 24, Wed 25, (Thu 26 holiday), Fri 27, Mon 30, Tue 1, Wed 2.
    expect(office.map((p) => p.date)).toEqual([
      '2026-11-24',
      '2026-11-25',
      '2026-11-27',
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
    ]);
    const friday = office.find((p) => p.date === '2026-11-27');
    expect(friday?.end).toBe(new Date('2026-11-27T16:30:00+07:00').toISOString());
    expect(
      ConfigPayload.safeParse({
        v: 1,
        serverTime: new Date(NOW).toISOString(),
        timeZone: 'Asia/Jakarta',
        siteId: 's1',
        workHours: hours,
      }).success,
    ).toBe(true);
  });

  it('says what the rules engine will count: 07:30:59 on time, 07:31:00 one minute late', () => {
    const at = (t: string) => Date.parse(`2026-11-25T${t}+07:00`);
    expect(punchStatus(hours, clerk.nip, at('07:10:00'))).toEqual({ kind: 'arrival', lateMinutes: 0 });
    expect(punchStatus(hours, clerk.nip, at('07:30:59'))).toEqual({ kind: 'arrival', lateMinutes: 0 });
    expect(punchStatus(hours, clerk.nip, at('07:31:00'))).toEqual({ kind: 'arrival', lateMinutes: 1 });
    expect(punchStatus(hours, clerk.nip, at('07:42:30'))).toEqual({ kind: 'arrival', lateMinutes: 12 });
    expect(punchStatus(hours, clerk.nip, at('15:30:00'))).toEqual({ kind: 'departure', earlyMinutes: 30 });
    expect(punchStatus(hours, clerk.nip, at('15:59:01'))).toEqual({ kind: 'departure', earlyMinutes: 1 });
    expect(punchStatus(hours, clerk.nip, at('16:05:00'))).toEqual({ kind: 'departure', earlyMinutes: 0 });
    // The holiday: no shift to be late for.
    expect(punchStatus(hours, clerk.nip, Date.parse('2026-11-26T07:45:00+07:00'))).toEqual({ kind: 'none' });
    // Beyond the hours the kiosk knows: no claim.
    expect(punchStatus(hours, clerk.nip, Date.parse('2026-12-10T07:45:00+07:00'))).toEqual({ kind: 'none' });
    expect(punchStatus(undefined, clerk.nip, at('07:45:00'))).toEqual({ kind: 'none' });

    // The same minutes as the engine's day record.
    const rec = computeDailyStatus({
      workDate: '2026-11-25',
      timeZone: 'Asia/Jakarta',
      schedule: DEFAULT_OFFICE_SCHEDULE,
      calendar: ctx.calendar,
      punches: [at('07:42:30'), at('15:30:00')],
      profile: DEFAULT_POLICY_PROFILE,
    });
    expect([rec.lateMinutes, rec.earlyMinutes]).toEqual([12, 30]);
  });

  it('follows a night shift across midnight, and each employee’s own roster', () => {
    // Tuesday's night shift 22:00–06:00: late at 22:05, leaving 05:50 on Wednesday is 10 minutes early.
    expect(punchStatus(hours, nurse.nip, Date.parse('2026-11-24T22:05:00+07:00'))).toEqual({
      kind: 'arrival',
      lateMinutes: 5,
    });
    expect(punchStatus(hours, nurse.nip, Date.parse('2026-11-25T05:50:00+07:00'))).toEqual({
      kind: 'departure',
      earlyMinutes: 10,
    });
    // The holiday does not stop the night shift (it does not observe holidays).
    expect(punchStatus(hours, nurse.nip, Date.parse('2026-11-26T21:55:00+07:00'))).toEqual({
      kind: 'arrival',
      lateMinutes: 0,
    });
  });

  it('plans in the site’s zone: 07:30 WIT is 22:30 UTC the day before', () => {
    const wit = kioskWorkHours(context('Asia/Jayapura'), 's1', [clerk], NOW);
    const day = wit.schedules[wit.default]?.find((p) => p.date === '2026-11-25');
    expect(day?.start).toBe('2026-11-24T22:30:00.000Z');
    const wita = kioskWorkHours(context('Asia/Makassar'), 's1', [clerk], NOW);
    expect(wita.schedules[wita.default]?.find((p) => p.date === '2026-11-25')?.start).toBe(
      '2026-11-24T23:30:00.000Z',
    );
  });

  it('repeats the first arrival’s status for a second arrival punch in the same shift', () => {
    const memory = new ArrivalMemory();
    const at = (t: string) => Date.parse(`2026-11-25T${t}+07:00`);
    expect(memory.statusFor(hours, clerk.nip, at('07:35:00'))).toEqual({ kind: 'arrival', lateMinutes: 5 });
    expect(memory.statusFor(hours, clerk.nip, at('07:50:00'))).toEqual({ kind: 'arrival', lateMinutes: 5 });
    expect(memory.statusFor(hours, clerk.nip, at('15:00:00'))).toEqual({
      kind: 'departure',
      earlyMinutes: 60,
    });
    expect(memory.statusFor(hours, clerk2.nip, at('07:50:00'))).toEqual({ kind: 'arrival', lateMinutes: 20 });
  });
});

describe('the screen line', () => {
  it('speaks Indonesian first', () => {
    expect(statusText({ kind: 'arrival', lateMinutes: 0 })).toBe('Tepat waktu / On time');
    expect(statusText({ kind: 'arrival', lateMinutes: 12 })).toBe('Terlambat 12 menit / 12 min late');
    expect(statusText({ kind: 'departure', earlyMinutes: 30 })).toBe(
      'Pulang lebih awal 30 menit / Left 30 min early',
    );
    expect(statusText({ kind: 'none' })).toBe('');
    const line = formatScreenLine({
      kind: 'welcome',
      name: 'Siti',
      employeeId: clerk.nip,
      at: new Date('2026-11-25T00:42:30Z'),
      timeZone: 'Asia/Jakarta',
      status: { kind: 'arrival', lateMinutes: 12 },
    });
    expect(line).toContain('Siti');
    expect(line).toContain('07.42.30');
    expect(line).toMatch(/Tercatat \/ Recorded - Terlambat 12 menit/);
  });
});
