/**
 * No punch vanishes, end to end through MQTT and REST on both databases: punches a kiosk delivers
 * at 07:20, 07:22 and 23:10 (WIB) on the most recent past working day make a day with the arrival
 * 07:20, no departure (PSW4 in the default profile), and both other punches listed on it with
 * their reason, their event and their kiosk (RULES.md, "Punches outside the punch window").
 * A punch on a Saturday is kept on that day too; a punch of an unknown NIP or from a kiosk with a
 * wrong clock stays findable in the raw punches.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { nip } from '../support/punches.ts';
import { FakeKiosk, waitDay, wib } from './rules-support.ts';

const WIB_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;
const isoAt = (date: string, hhmm: string) => new Date(wib(date, hhmm)).toISOString();

/** The most recent date before today (WIB) that is Monday–Friday and no holiday, and the Saturday before it. */
async function lastWorkingDay(c: Cluster): Promise<{ day: string; saturday: string }> {
  const today = Math.floor((Date.now() + WIB_MS) / DAY_MS);
  const iso = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);
  const r = await c.api<Array<{ date: string }>>(
    'GET',
    `/api/calendar/holidays?from=${iso(today - 30)}&to=${iso(today)}`,
  );
  expect(r.status).toBe(200);
  const holidays = new Set(r.body.map((h) => h.date));
  let n = today - 1;
  // getUTCDay of a day number: 0 Sunday … 6 Saturday.
  while ([0, 6].includes(new Date(n * DAY_MS).getUTCDay()) || holidays.has(iso(n))) n--;
  let sat = n - 1;
  while (new Date(sat * DAY_MS).getUTCDay() !== 6) sat--;
  return { day: iso(n), saturday: iso(sat) };
}

/**
 * An employee employed since `startDate` when the API takes a start date; otherwise (no start
 * dates yet) every day counts for them and the plain create is enough.
 */
async function createEmployeeSince(c: Cluster, id: string, name: string, startDate: string): Promise<void> {
  const dated = await c.api<{ error?: { message: string } }>('POST', '/api/employees', {
    nip: id,
    name,
    startDate,
  });
  if (dated.status === 201) return;
  expect(dated.status, JSON.stringify(dated.body)).toBe(400);
  expect(dated.body.error?.message).toMatch(/startDate/);
  await c.createEmployee(id, name);
}

describeEachDb('no punch vanishes on %s', (db) => {
  let c: Cluster;
  let kiosk: FakeKiosk;
  beforeAll(async () => {
    c = await Cluster.start({ db });
    kiosk = await FakeKiosk.connect(c, 'Pintu samping');
  }, 60_000);
  afterAll(async () => {
    await kiosk?.close();
    await c?.stop();
  });

  it('lists a 23:10 punch as OutsideWindow and a repeat as Duplicate: arrival 07:20, no departure, PSW4', async () => {
    const { day, saturday } = await lastWorkingDay(c);
    const e = nip(911);
    await createEmployeeSince(c, e, 'Rina Marlina', saturday);
    const arrival = await kiosk.punch(e, wib(day, '07:20'));
    const repeat = await kiosk.punch(e, wib(day, '07:22'));
    const late = await kiosk.punch(e, wib(day, '23:10'));

    const d = await waitDay(c, e, day, (x) => x.ignoredPunches.length === 2);
    expect(d).toMatchObject({
      status: 'Present',
      codes: ['PSW4'],
      arrival: isoAt(day, '07:20'),
      departure: null,
      lateMinutes: 0,
    });
    expect(d.ignoredPunches).toEqual([
      {
        at: isoAt(day, '07:22'),
        eventId: repeat,
        terminalId: kiosk.terminal.id,
        reason: 'Duplicate',
        text: expect.stringContaining('first punch'),
      },
      {
        at: isoAt(day, '23:10'),
        eventId: late,
        terminalId: kiosk.terminal.id,
        reason: 'OutsideWindow',
        text: expect.stringContaining('punch window'),
      },
    ]);
    // The arrival is used, not listed; every punch sent is accounted for.
    expect(d.ignoredPunches.map((p) => p.eventId)).not.toContain(arrival);
    expect(d.reasons.map((r) => r.code)).toContain('MissingClockOut');

    // A second kiosk delivers a punch of the very same instant as the arrival: the day still uses
    // the first event and lists this one as a repeat, with its own kiosk.
    const other = await FakeKiosk.connect(c, 'Pintu belakang');
    try {
      const twin = await other.punch(e, wib(day, '07:20'));
      const again = await waitDay(c, e, day, (x) => x.ignoredPunches.length === 3);
      expect(again).toMatchObject({ codes: ['PSW4'], arrival: isoAt(day, '07:20') });
      expect(again.ignoredPunches[0]).toMatchObject({
        at: isoAt(day, '07:20'),
        eventId: twin,
        terminalId: other.terminal.id,
        reason: 'Duplicate',
      });
    } finally {
      await other.close();
    }

    // A punch on the Saturday before is kept on that day off, as not a work day.
    const sat = await kiosk.punch(e, wib(saturday, '09:00'));
    const off = await waitDay(c, e, saturday, (x) => x.ignoredPunches.length === 1);
    expect(off).toMatchObject({ status: 'OffDay', codes: [], deductionBp: 0, arrival: null });
    expect(off.ignoredPunches).toEqual([
      expect.objectContaining({ eventId: sat, reason: 'NotAWorkDay', at: isoAt(saturday, '09:00') }),
    ]);
  });

  it('keeps a punch of an unknown NIP and one from a kiosk with a wrong clock findable', async () => {
    const stranger = nip(912);
    const unknown = await kiosk.punch(stranger, new Date(Date.now() - 60_000).toISOString());
    type Event = { id: string; employeeId: string; unknownEmployee: boolean; clockSkew: boolean };
    const events = async (q: string) => {
      const r = await c.api<Event[]>('GET', `/api/attendance/events?${q}`);
      expect(r.status).toBe(200);
      return r.body;
    };
    const until = async (q: string, id: string) => {
      for (let i = 0; i < 100; i++) {
        const found = (await events(q)).find((x) => x.id === id);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`event ${id} not found with ${q}`);
    };
    expect(await until(`unknownEmployee=true&terminalId=${kiosk.terminal.id}`, unknown)).toMatchObject({
      employeeId: stranger,
      unknownEmployee: true,
    });

    const e = nip(913);
    await c.createEmployee(e, 'Dewi Lestari');
    const skewed = await kiosk.punch(e, new Date(Date.now() - 120_000).toISOString(), {
      clock: { synced: false },
    });
    expect(await until(`clockSkew=true&employeeId=${e}`, skewed)).toMatchObject({
      employeeId: e,
      clockSkew: true,
    });
    // The filters filter: the known employee's punch is not among the unknown ones, and the
    // synced punches are not among the skewed ones.
    expect((await events('unknownEmployee=true')).map((x) => x.employeeId)).not.toContain(e);
    expect((await events('clockSkew=true')).map((x) => x.id)).not.toContain(unknown);
    const bad = await c.api<{ error: { message: string } }>('GET', '/api/attendance/events?clockSkew=maybe');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/clockSkew/);
  });

  it('documents the reasons in the OpenAPI document', async () => {
    const r = await c.api<{ paths: Record<string, { get?: { responses: Record<string, unknown> } }> }>(
      'GET',
      '/api/openapi.json',
    );
    const answer = JSON.stringify(r.body.paths['/api/attendance']?.get?.responses['200']);
    for (const reason of [
      'OutsideWindow',
      'Duplicate',
      'NotAWorkDay',
      'Intermediate',
      'eventId',
      'terminalId',
    ]) {
      expect(answer).toContain(reason);
    }
  });
});
