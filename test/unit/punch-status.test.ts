/**
 * What the kiosk says right after a punch ("Tepat waktu", "Terlambat 12 menit", "Di luar jam
 * absen"...), from the work hours the backend puts in the retained config, and what the backend's
 * day record says of the same punches: both run every case of ONE table (test/support/punch-cases.ts)
 * and must give the texts and the records it lists.
 */
import { describe, expect, it } from 'vitest';
import { kioskWorkHours } from '../../backend/attendance/kiosk-hours.ts';
import { scheduleById, scheduleIdFor } from '../../backend/attendance/rules-context.ts';
import {
  addDays,
  computeDailyStatus,
  DUPLICATE_PUNCH_MINUTES,
  type IgnoredPunchReason,
  type IsoDate,
} from '../../backend/domain/index.ts';
import { ConfigPayload } from '../../protocol/index.ts';
import { formatScreenLine, statusText } from '../../terminal/kiosk-screen.ts';
import { PunchMemory, type PunchStatus, punchStatus } from '../../terminal/punch-status.ts';
import {
  CLERK,
  caseContext,
  caseInstant,
  employeeFor,
  NURSE,
  PUNCH_CASES,
  type PunchCase,
} from '../support/punch-cases.ts';

const nurse = { nip: NURSE, unitId: 'u1' };
const clerk = { nip: CLERK, unitId: 'u1' };
const clerk2 = { nip: '199001012020121003', unitId: 'u1' };
// Wednesday 25 November 2026, 06:00 WIB.
const NOW = Date.parse('2026-11-25T06:00:00+07:00');

/** The engine's record of one date for a case's employee, given some of its punches. */
function engineDay(c: PunchCase, date: IsoDate, punches: readonly number[]) {
  const ctx = caseContext(c.zone);
  return computeDailyStatus({
    workDate: date,
    timeZone: c.zone,
    schedule: scheduleById(ctx, scheduleIdFor(ctx, employeeFor(c), date)),
    calendar: ctx.calendar,
    punches,
    profile: ctx.profiles,
  });
}

const REASON_STATUS: Record<IgnoredPunchReason, PunchStatus> = {
  OutsideWindow: { kind: 'outsideWindow' },
  NotAWorkDay: { kind: 'notWorkDay' },
  Duplicate: { kind: 'duplicate' },
  // Never the last punch so far: a departure until a later punch comes.
  Intermediate: { kind: 'none' },
  // The kiosk does not know employment periods (the backend's record decides); no case has one.
  OutsideEmployment: { kind: 'none' },
};

/**
 * What the engine says of a punch on the spot: the record of the day it belongs to, as if the day
 * ended with it (the punches so far). Exactly one day around the case date holds it.
 */
function engineStatus(c: PunchCase, soFar: readonly number[]): { date: IsoDate; status: PunchStatus } {
  const at = soFar.at(-1) as number;
  const found: Array<{ date: IsoDate; status: PunchStatus }> = [];
  for (const date of [addDays(c.date, -1), c.date, addDays(c.date, 1)]) {
    const rec = engineDay(c, date, soFar);
    const ignored = rec.ignoredPunches.filter((p) => p.at === at).at(-1);
    if (ignored) found.push({ date, status: REASON_STATUS[ignored.reason] });
    else if (rec.departure === at) {
      found.push({ date, status: { kind: 'departure', earlyMinutes: rec.earlyMinutes as number } });
    } else if (rec.arrival === at) {
      found.push({ date, status: { kind: 'arrival', lateMinutes: rec.lateMinutes as number } });
    }
  }
  expect(found, `${new Date(at).toISOString()} belongs to one day`).toHaveLength(1);
  return found[0] as { date: IsoDate; status: PunchStatus };
}

describe('one table of punch cases: the kiosk on the spot', () => {
  it.each(PUNCH_CASES.filter((c) => c.punches.length > 0).map((c) => [c.name, c] as const))('%s', (_, c) => {
    const e = employeeFor(c);
    const first = caseInstant(c, c.punches[0]?.at as string);
    // The config a kiosk of the site holds (planned the evening before, refreshed daily).
    const hours = kioskWorkHours(caseContext(c.zone), 's1', [nurse, clerk, clerk2], first - 12 * 3_600_000);
    const memory = new PunchMemory();
    const texts = c.punches.map((p) =>
      statusText(memory.statusFor(hours, e.nip, caseInstant(c, p.at), c.zone)),
    );
    expect(texts).toEqual(c.punches.map((p) => p.kiosk));
  });
});

describe('one table of punch cases: the backend’s day record', () => {
  it.each(PUNCH_CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const instants = c.punches.map((p) => caseInstant(c, p.at));
    // On the spot: each punch, with those before it, says what the kiosk said.
    instants.forEach((_, k) => {
      const { date, status } = engineStatus(c, instants.slice(0, k + 1));
      expect(date).toBe(c.date);
      expect(statusText(status)).toBe(c.punches[k]?.kiosk);
    });
    // Once the day is over: the record, every punch used or listed with its reason.
    const rec = engineDay(c, c.date, instants);
    const t = (at: string | null) => (at === null ? null : caseInstant(c, at));
    expect({
      status: rec.status,
      codes: rec.codes,
      arrival: rec.arrival,
      departure: rec.departure,
      ignored: rec.ignoredPunches,
    }).toEqual({
      status: c.record.status,
      codes: c.record.codes,
      arrival: t(c.record.arrival),
      departure: t(c.record.departure),
      ignored: c.record.ignored.map((p) => ({ at: t(p.at), reason: p.reason })),
    });
    const listed = [rec.arrival, rec.departure, ...rec.ignoredPunches.map((p) => p.at)].filter(
      (x) => x !== null,
    );
    expect(listed.sort()).toEqual([...instants].sort());
  });
});

describe('the kiosk without the newest config', () => {
  it('says nothing without work hours, and nothing of a date beyond them', () => {
    const hours = kioskWorkHours(caseContext('Asia/Jakarta'), 's1', [clerk], NOW);
    expect(punchStatus(undefined, clerk.nip, NOW)).toEqual({ kind: 'none' });
    expect(punchStatus(hours, clerk.nip, Date.parse('2026-12-10T07:45:00+07:00'), 'Asia/Jakarta')).toEqual({
      kind: 'none',
    });
  });

  it('falls back to the nearest shift when the hours carry no punch window (an older backend)', () => {
    const hours = kioskWorkHours(caseContext('Asia/Jakarta'), 's1', [clerk], NOW);
    for (const list of Object.values(hours.schedules)) {
      for (const p of list) {
        delete p.windowStart;
        delete p.windowEnd;
      }
    }
    const at = (t: string) => Date.parse(`2026-11-25T${t}+07:00`);
    expect(punchStatus(hours, clerk.nip, at('07:42:30'), 'Asia/Jakarta')).toEqual({
      kind: 'arrival',
      lateMinutes: 12,
    });
    // Without the window it cannot tell "di luar jam absen": no claim rather than a wrong one.
    expect(punchStatus(hours, clerk.nip, at('05:00'), 'Asia/Jakarta')).toEqual({
      kind: 'arrival',
      lateMinutes: 0,
    });
  });
});

describe('work hours in the kiosk config', () => {
  const ctx = caseContext('Asia/Jakarta');
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
    // The punch window 06:00–18:00 and the engine's duplicate rule go with the hours.
    expect([friday?.windowStart, friday?.windowEnd]).toEqual([
      new Date('2026-11-27T06:00:00+07:00').toISOString(),
      new Date('2026-11-27T18:00:00+07:00').toISOString(),
    ]);
    expect(hours.duplicateMinutes).toBe(DUPLICATE_PUNCH_MINUTES);
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

  it('plans in the site’s zone: 07:30 WIT is 22:30 UTC the day before', () => {
    const wit = kioskWorkHours(caseContext('Asia/Jayapura'), 's1', [clerk], NOW);
    const day = wit.schedules[wit.default]?.find((p) => p.date === '2026-11-25');
    expect(day?.start).toBe('2026-11-24T22:30:00.000Z');
    const wita = kioskWorkHours(caseContext('Asia/Makassar'), 's1', [clerk], NOW);
    expect(wita.schedules[wita.default]?.find((p) => p.date === '2026-11-25')?.start).toBe(
      '2026-11-24T23:30:00.000Z',
    );
  });
});

describe('the screen line', () => {
  it('speaks Indonesian first', () => {
    expect(statusText({ kind: 'arrival', lateMinutes: 0 })).toBe('Tepat waktu / On time');
    expect(statusText({ kind: 'arrival', lateMinutes: 12 })).toBe('Terlambat 12 menit / 12 min late');
    expect(statusText({ kind: 'departure', earlyMinutes: 30 })).toBe(
      'Pulang lebih awal 30 menit / Left 30 min early',
    );
    expect(statusText({ kind: 'outsideWindow' })).toBe('Di luar jam absen / Outside punch hours');
    expect(statusText({ kind: 'duplicate' })).toBe('Sudah tercatat / Already recorded');
    expect(statusText({ kind: 'notWorkDay' })).toBe('Bukan hari kerja / Not a work day');
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
