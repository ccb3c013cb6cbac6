/**
 * Daily status end to end through the real server and database: a punch delivered late by a
 * kiosk that was offline, leave approved afterwards, an audited correction, and what an OPD
 * admin or a supervisor may see. Dates are fixed work days of November 2026 (WIB).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromStoredDay, toStoredDay } from '../../backend/attendance/daily-record.mapper.ts';
import { applyCorrections } from '../../backend/attendance/effective-punches.ts';
import { OFFLINE_PENDING_HORIZON_MS, pendingFromStatuses } from '../../backend/attendance/rules-context.ts';
import {
  computeDailyStatus,
  DEFAULT_OFFICE_SCHEDULE,
  DEFAULT_POLICY_PROFILE,
} from '../../backend/domain/index.ts';
import { Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { nip } from '../support/punches.ts';
import {
  createEmployeeIn,
  type Day,
  dayOf,
  type Err,
  FakeKiosk,
  loginAs,
  recompute,
  waitDay,
  wib,
} from './rules-support.ts';

describe('the pieces between the database and the engine', () => {
  it('reads kiosk statuses: unsent punches, and a kiosk that dropped off within a week', () => {
    const now = Date.parse('2026-11-29T05:00:00Z');
    const status = (s: object, at = now) => ({
      siteId: 'a',
      active: true,
      lastStatus: JSON.stringify({ v: 1, ...s }),
      lastStatusAt: new Date(at),
    });
    const oldest = '2026-11-27T01:45:00.000Z';
    expect(pendingFromStatuses([status({ state: 'online', outboxDepth: 0 })], now).size).toBe(0);
    expect(
      pendingFromStatuses([status({ state: 'online', outboxDepth: 3, oldestPendingAt: oldest })], now),
    ).toEqual(new Map([['a', Date.parse(oldest)]]));
    const dropped = now - 3_600_000;
    expect(pendingFromStatuses([status({ state: 'offline' }, dropped)], now).get('a')).toBe(dropped);
    const longGone = now - OFFLINE_PENDING_HORIZON_MS - 1;
    expect(pendingFromStatuses([status({ state: 'offline' }, longGone)], now).size).toBe(0);
    expect(
      pendingFromStatuses(
        [{ ...status({ state: 'online', outboxDepth: 3, oldestPendingAt: oldest }), active: false }],
        now,
      ).size,
    ).toBe(0);
  });

  it('applies corrections in the order made, and stores a day record losslessly', () => {
    const at = (m: number) => Date.parse('2026-11-11T00:00:00Z') + m * 60_000;
    const corrections = [
      { id: 'b', action: 'Add' as const, at: at(25), createdAt: 2 },
      { id: 'a', action: 'Void' as const, at: at(20), createdAt: 1 },
      { id: 'c', action: 'Void' as const, at: at(25), createdAt: 3 },
      { id: 'd', action: 'Add' as const, at: at(26), createdAt: 4 },
    ];
    expect(applyCorrections([at(540), at(20), at(20)], corrections)).toEqual([at(26), at(540)]);
    const rec = computeDailyStatus({
      workDate: '2026-11-11',
      timeZone: 'Asia/Jakarta',
      schedule: DEFAULT_OFFICE_SCHEDULE,
      calendar: { holidays: [], specialPeriods: [] },
      punches: [at(55), at(500)],
      leaves: [{ id: 'l1', kind: 'AnnualLeave', from: '2026-11-11', to: '2026-11-11', approval: 'Pending' }],
      profile: DEFAULT_POLICY_PROFILE,
    });
    const stored = JSON.parse(JSON.stringify(toStoredDay('n', 'u', rec)));
    expect(fromStoredDay(stored)).toEqual(JSON.parse(JSON.stringify(rec)));
  });
});

describeEachDb('attendance rules end to end on %s', (db) => {
  let c: Cluster;
  let kiosk: FakeKiosk;
  beforeAll(async () => {
    c = await Cluster.start({ db });
    kiosk = await FakeKiosk.connect(c, 'Gerbang utama');
  });
  afterAll(async () => {
    await kiosk?.close();
    await c?.stop();
  });

  it('turns a TK day into TL2 when an offline kiosk delivers its punches, and waits while it has unsent ones', async () => {
    const e1 = nip(101);
    await c.createEmployee(e1, 'Siti Rahmawati');
    // This office starts at 08:00: a schedule and its assignment through the API.
    const schedule = await c.api('POST', '/api/schedules', {
      id: 'kantor-0800',
      name: 'Mon–Thu 08:00–16:00, Fri 08:00–16:30',
      pattern: {
        kind: 'Weekly',
        hours: {
          Mon: { start: '08:00', end: '16:00', breakMinutes: 60 },
          Tue: { start: '08:00', end: '16:00', breakMinutes: 60 },
          Wed: { start: '08:00', end: '16:00', breakMinutes: 60 },
          Thu: { start: '08:00', end: '16:00', breakMinutes: 60 },
          Fri: { start: '08:00', end: '16:30', breakMinutes: 90 },
        },
      },
      punchWindow: { kind: 'Absolute', from: '06:00', to: '18:00' },
      observesHolidays: true,
      followsSpecialPeriods: true,
    });
    expect(schedule.status).toBe(201);
    const assigned = await c.api('POST', '/api/schedule-assignments', {
      scheduleId: 'kantor-0800',
      target: { kind: 'Employee', employeeId: e1 },
      effectiveFrom: '2026-11-01',
      effectiveTo: null,
    });
    expect(assigned.status).toBe(201);

    // The week is closed with no punch in: every day is TK.
    await recompute(c, { from: '2026-11-02', to: '2026-11-06', employeeId: e1 });
    const before = await dayOf(c, e1, '2026-11-04');
    expect(before).toMatchObject({ status: 'Absent', codes: ['TK'], deductionBp: 300 });

    // The kiosk reconnects and reports two unsent punches, the oldest from Wednesday 08:45.
    await kiosk.status(2, wib('2026-11-04', '08:45'));
    await kiosk.statusStored(c, 2);
    await recompute(c, { from: '2026-11-02', to: '2026-11-06', employeeId: e1 });
    expect((await dayOf(c, e1, '2026-11-03'))?.status).toBe('Absent'); // ended before the oldest unsent punch
    expect(await dayOf(c, e1, '2026-11-05')).toMatchObject({
      status: 'Pending',
      codes: [],
      provisional: true,
    });

    // Then it delivers them: captured Wednesday at 08:45 and 16:35, sent now.
    await kiosk.punch(e1, wib('2026-11-04', '08:45'));
    await kiosk.punch(e1, wib('2026-11-04', '16:35'));
    const after = await waitDay(c, e1, '2026-11-04', (d) => d.status === 'Present');
    expect(after).toMatchObject({ codes: ['TL2'], lateMinutes: 45, earlyMinutes: 0, deductionBp: 100 });
    expect(after.arrival).toBe('2026-11-04T01:45:00.000Z');

    // Its outbox is empty now: the days it held back are settled as absent.
    await kiosk.status(0);
    const thursday = await waitDay(c, e1, '2026-11-05', (d) => d.status !== 'Pending');
    expect(thursday).toMatchObject({ status: 'Absent', codes: ['TK'] });
  });

  it('excuses a TK day when leave is approved afterwards', async () => {
    const e2 = nip(102);
    await c.createEmployee(e2, 'Budi Santoso');
    await recompute(c, { from: '2026-11-09', to: '2026-11-10', employeeId: e2 });
    expect(await dayOf(c, e2, '2026-11-09')).toMatchObject({ status: 'Absent', codes: ['TK'] });

    const created = await c.api<{ id: string; approval: string }>('POST', '/api/leave', {
      employeeId: e2,
      kind: 'AnnualLeave',
      from: '2026-11-09',
      to: '2026-11-10',
    });
    expect(created.status).toBe(201);
    expect(created.body.approval).toBe('Pending');
    const pending = await waitDay(c, e2, '2026-11-09', (d) =>
      d.reasons.some((r) => r.code === 'LeaveNotApproved'),
    );
    expect(pending.status).toBe('Absent');

    const decided = await c.api<{ leave: { approval: string; decidedBy: string }; days: Day[] }>(
      'POST',
      `/api/leave/${created.body.id}/decision`,
      { approval: 'Approved' },
    );
    expect(decided.status).toBe(200);
    expect(decided.body.leave.approval).toBe('Approved');
    expect(decided.body.days.map((d) => [d.workDate, d.status, d.codes, d.deductionBp])).toEqual([
      ['2026-11-09', 'Excused', ['CT'], 0],
      ['2026-11-10', 'Excused', ['CT'], 0],
    ]);
    const again = await c.api<Err>('POST', `/api/leave/${created.body.id}/decision`, {
      approval: 'Rejected',
    });
    expect(again.status).toBe(409);
  });

  it('applies an audited correction, recomputes the day and keeps the original punch', async () => {
    const e3 = nip(103);
    await c.createEmployee(e3, 'Dewi Lestari');
    const arrivalId = await kiosk.punch(e3, wib('2026-11-11', '07:20'));
    await kiosk.punch(e3, wib('2026-11-11', '16:05'));
    await waitDay(c, e3, '2026-11-11', (d) => d.status === 'Present' && d.codes.length === 0);

    const noReason = await c.api<Err>('POST', '/api/attendance/corrections', {
      employeeId: e3,
      action: 'Void',
      eventId: arrivalId,
      reason: '',
    });
    expect(noReason.status).toBe(400);

    // The 07:20 punch was a colleague's face: void it.
    const voided = await c.api<{ correction: { id: string; createdBy: string }; days: Day[] }>(
      'POST',
      '/api/attendance/corrections',
      { employeeId: e3, action: 'Void', eventId: arrivalId, reason: 'pengenalan wajah keliru (orang lain)' },
    );
    expect(voided.status).toBe(201);
    expect(voided.body.days.find((d) => d.workDate === '2026-11-11')).toMatchObject({
      status: 'Present',
      codes: ['TL4'],
    });
    // The employee actually came at 07:55, says the guard's log.
    const added = await c.api<{ days: Day[] }>('POST', '/api/attendance/corrections', {
      employeeId: e3,
      action: 'Add',
      at: wib('2026-11-11', '07:55'),
      reason: 'buku tamu satpam: datang 07:55',
    });
    expect(added.status).toBe(201);
    expect(added.body.days.find((d) => d.workDate === '2026-11-11')).toMatchObject({
      codes: ['TL1'],
      lateMinutes: 25,
    });

    const trail = await c.api<
      Array<{ action: string; reason: string; createdBy: string; eventId: string | null }>
    >('GET', `/api/attendance/corrections?employeeId=${e3}`);
    expect(trail.body.map((t) => [t.action, t.eventId])).toEqual([
      ['Void', arrivalId],
      ['Add', null],
    ]);
    expect(trail.body.every((t) => t.createdBy.length > 0 && t.reason.length >= 5)).toBe(true);
    // The original punches are still there, unchanged.
    const events = await c.api<Array<{ id: string; capturedAt: string }>>(
      'GET',
      `/api/attendance/events?employeeId=${e3}`,
    );
    expect(events.body.map((e) => e.id)).toContain(arrivalId);
    expect(events.body).toHaveLength(2);
  });

  it('takes holidays and special periods from the calendar', async () => {
    const e8 = nip(108);
    await c.createEmployee(e8, 'Hendra Wijaya');
    const holiday = await c.api<{ id: string }>('POST', '/api/calendar/holidays', {
      date: '2026-11-16',
      name: 'Hari Jadi Kabupaten',
      kind: 'RegionalHoliday',
    });
    expect(holiday.status).toBe(201);
    const dup = await c.api<Err>('POST', '/api/calendar/holidays', {
      date: '2026-11-16',
      name: 'Hari Jadi Kabupaten',
      kind: 'RegionalHoliday',
    });
    expect(dup.status).toBe(409);
    const period = await c.api('POST', '/api/calendar/special-periods', {
      id: 'jam-khusus-2026-11',
      name: 'Jam kerja khusus',
      kind: 'Other',
      from: '2026-11-17',
      to: '2026-11-18',
      hours: {
        Tue: { start: '08:00', end: '15:00', breakMinutes: 30 },
        Wed: { start: '08:00', end: '15:00', breakMinutes: 30 },
      },
    });
    expect(period.status).toBe(201);
    await kiosk.punch(e8, wib('2026-11-17', '07:55'));
    await kiosk.punch(e8, wib('2026-11-17', '15:05'));
    // 07:55 would be 25 minutes late at 07:30; in the special period work starts at 08:00.
    const special = await waitDay(c, e8, '2026-11-17', (d) => d.status === 'Present' && d.departure !== null);
    expect(special).toMatchObject({ codes: [], lateMinutes: 0, earlyMinutes: 0 });
    await recompute(c, { from: '2026-11-16', to: '2026-11-16', employeeId: e8 });
    expect(await dayOf(c, e8, '2026-11-16')).toMatchObject({ status: 'Holiday', codes: [], deductionBp: 0 });
  });

  it('shows an OPD admin and a supervisor only their own unit', async () => {
    await c.query((p) => p.unit.create({ data: { id: 'dinkes', name: 'Dinas Kesehatan' } }));
    const e7 = nip(107);
    await createEmployeeIn(c, e7, 'Pegawai Dinkes', 'dinkes');
    await recompute(c, { from: '2026-11-12', to: '2026-11-12', unitId: 'dinkes' });
    await recompute(c, { from: '2026-11-12', to: '2026-11-12', employeeId: nip(101) });
    const opd = await loginAs(c, 'opd-dinkes', 'OPD_ADMIN', 'dinkes');
    const spv = await loginAs(c, 'kepala-dinkes', 'SUPERVISOR', 'dinkes');

    for (const token of [opd, spv]) {
      const days = await c.api<Day[]>(
        'GET',
        '/api/attendance?from=2026-11-01&to=2026-11-30',
        undefined,
        token,
      );
      expect(days.status).toBe(200);
      expect(new Set(days.body.map((d) => d.employeeId))).toEqual(new Set([e7]));
      const other = await c.api<Err>(
        'GET',
        `/api/attendance?employeeId=${nip(101)}&from=2026-11-01&to=2026-11-30`,
        undefined,
        token,
      );
      expect(other.status).toBe(403);
      const allowance = await c.api<Array<{ employeeId: string }>>(
        'GET',
        '/api/allowance?month=2026-11',
        undefined,
        token,
      );
      expect(allowance.body.map((a) => a.employeeId)).toEqual([e7]);
    }
    const foreignCorrection = await c.api<Err>(
      'POST',
      '/api/attendance/corrections',
      { employeeId: nip(101), action: 'Add', at: wib('2026-11-12', '07:30'), reason: 'bukan unit saya' },
      opd,
    );
    expect(foreignCorrection.status).toBe(403);
    const bySupervisor = await c.api<Err>(
      'POST',
      '/api/attendance/corrections',
      { employeeId: e7, action: 'Add', at: wib('2026-11-12', '07:30'), reason: 'atasan tidak mengoreksi' },
      spv,
    );
    expect(bySupervisor.status).toBe(403);
    const foreignLeave = await c.api<Err>(
      'POST',
      '/api/leave',
      { employeeId: nip(101), kind: 'AnnualLeave', from: '2026-11-12', to: '2026-11-12' },
      opd,
    );
    expect(foreignLeave.status).toBe(403);
    // The REST contract still documents itself with the new routes.
    const doc = await c.api<{ paths: Record<string, unknown> }>('GET', '/api/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/attendance', '/api/allowance', '/api/discipline', '/api/leave']),
    );
  });
});
