/**
 * Policy profiles per unit end to end (issue #11, point 5), through REST and MQTT on the real
 * server: a profile lineage with TK at 5 % for unit B, the default for unit A, an assignment from
 * the 15th that applies only from the 15th, a sub-unit that inherits B's profile until its own
 * assignment, and the day records, the month's allowance and the unit view agreeing on it.
 * Everything goes through the API, the unit tree included (POST /api/units).
 * Dates: November 2025 (WIB), out of reach of the server's day-close job.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
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

type ProfiledDay = Day & { profile: { id: string; version: number } };
type Row = {
  employeeId: string;
  totalBp: number;
  lines: Array<{ date: string; code: string; countedBp: number; profile: { id: string; version: number } }>;
};
type UnitProfile = {
  unitId: string;
  profile: { id: string; version: number };
  source: string;
  inheritedFrom: string | null;
  assignmentId: string | null;
};

const eA = nip(501);
const eB = nip(502);
const eB1 = nip(503);
/** The days off leave: TK (no punch) on the 13th, 18th and 25th; punches (TL3) through MQTT on the 20th. */
const DAYS = ['2025-11-13', '2025-11-18', '2025-11-20', '2025-11-25'];
const LEAVE: Array<[string, string]> = [
  ['2025-11-03', '2025-11-12'],
  ['2025-11-14', '2025-11-17'],
  ['2025-11-19', '2025-11-19'],
  ['2025-11-21', '2025-11-24'],
  ['2025-11-26', '2025-11-28'],
];

describeEachDb('policy profiles per unit end to end on %s', (db) => {
  let c: Cluster;
  let kiosk: FakeKiosk;
  beforeAll(async () => {
    c = await Cluster.start({ db });
    for (const u of [
      { id: 'prov', name: 'Pemerintah Provinsi' },
      { id: 'dinas-a', name: 'Dinas A', parentId: 'prov' },
      { id: 'dinas-b', name: 'Dinas B', parentId: 'prov' },
      { id: 'bidang-b1', name: 'Bidang B1', parentId: 'dinas-b' },
    ]) {
      const r = await c.api('POST', '/api/units', u);
      if (r.status !== 201) throw new Error(`unit ${u.id}: ${r.status} ${JSON.stringify(r.body)}`);
    }
    kiosk = await FakeKiosk.connect(c, 'Gerbang');
  });
  afterAll(async () => {
    await kiosk?.close();
    await c?.stop();
  });

  const profileOf = async (nipOf: string, date: string) => {
    const d = (await dayOf(c, nipOf, date)) as ProfiledDay | undefined;
    return d && `${d.codes.join(' ')}:${d.profile.id}:${d.deductionBp}`;
  };
  const waitProfile = (nipOf: string, date: string, id: string) =>
    waitDay(c, nipOf, date, (d) => (d as ProfiledDay).profile.id === id) as Promise<ProfiledDay>;
  const allowance = async (nipOf: string) => {
    const r = await c.api<Row[]>('GET', `/api/allowance?month=2025-11&employeeId=${nipOf}`);
    expect(r.status).toBe(200);
    const row = r.body[0] as Row;
    return {
      totalBp: row.totalBp,
      lines: row.lines.map((l) => `${l.date} ${l.code} ${l.countedBp} ${l.profile.id}`),
    };
  };
  const unitProfile = (unit: string, date: string) =>
    c.api<UnitProfile>('GET', `/api/units/${unit}/profile?date=${date}`);

  it('publishes a lineage for unit B and refuses bad assignments, naming the field', async () => {
    for (const [n, name, unit] of [
      [eA, 'Ahmad Fauzi', 'dinas-a'],
      [eB, 'Budi Santoso', 'dinas-b'],
      [eB1, 'Citra Lestari', 'bidang-b1'],
    ] as const) {
      await createEmployeeIn(c, n, name, unit);
      expect((await c.api('PATCH', `/api/employees/${n}/attendance`, { baseAmount: 5_000_000 })).status).toBe(
        200,
      );
      for (const [from, to] of LEAVE) {
        const l = await c.api<{ id: string }>('POST', '/api/leave', {
          employeeId: n,
          kind: 'AnnualLeave',
          from,
          to,
        });
        expect(l.status).toBe(201);
        await c.api('POST', `/api/leave/${l.body.id}/decision`, { approval: 'Approved' });
      }
    }
    const template = await c.api<Record<string, unknown>>('GET', '/api/policy-profiles/template');
    const published = await c.api('POST', '/api/policy-profiles', {
      ...template.body,
      id: 'pergub-b',
      version: 1,
      name: 'Pergub B: TK 5 %',
      effectiveFrom: '2025-01-01',
      absent: { code: 'TK', deductionBp: 500 },
    });
    expect(published.status).toBe(201);

    const post = (body: object) =>
      c.api<Err>('POST', '/api/policy-profiles/assignments', {
        unitId: 'dinas-b',
        profileId: 'pergub-b',
        effectiveFrom: '2025-11-15',
        ...body,
      });
    const refused: Array<[object, RegExp]> = [
      [{ unitId: 'dinas-x' }, /unitId: no unit dinas-x/],
      [{ profileId: 'pergub-x' }, /profileId: no policy profile pergub-x/],
      [{ effectiveFrom: '2025-11-31' }, /effectiveFrom/],
      [{ effectiveTo: '2025-11-14' }, /effectiveTo: must not be before effectiveFrom/],
      [
        { effectiveFrom: '2024-12-01', effectiveTo: '2024-12-31' },
        /effectiveFrom: profile pergub-b is only in force from 2025-01-01/,
      ],
      [{ unitId: undefined }, /unitId/],
    ];
    for (const [body, message] of refused) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.message).toMatch(message);
    }
    const opd = await loginAs(c, 'admin-opd-b', 'OPD_ADMIN', 'dinas-b');
    const forbidden = await c.api(
      'POST',
      '/api/policy-profiles/assignments',
      {
        unitId: 'dinas-b',
        profileId: 'pergub-b',
        effectiveFrom: '2025-11-15',
      },
      opd,
    );
    expect(forbidden.status).toBe(403);
    expect((await c.api<unknown[]>('GET', '/api/policy-profiles/assignments')).body).toEqual([]);
  });

  it('gives unit B TK at 5 % from the 15th and unit A the default, on the days and in the allowance', async () => {
    // Punches through MQTT on the 20th: 75 minutes late (TL3) for everybody.
    for (const n of [eA, eB, eB1]) {
      await kiosk.punch(n, wib('2025-11-20', '08:45'));
      await kiosk.punch(n, wib('2025-11-20', '16:05'));
    }
    for (const n of [eA, eB, eB1]) await waitDay(c, n, '2025-11-20', (d) => d.departure !== null);
    await recompute(c, { from: '2025-11-03', to: '2025-11-28' });
    // Assigned to no unit yet, the new lineage is the region-wide one (as before assignments).
    expect(await profileOf(eA, '2025-11-13')).toBe('TK:pergub-b:500');

    const assigned = await c.api<{ id: string; effectiveTo: string | null }>(
      'POST',
      '/api/policy-profiles/assignments',
      { unitId: 'dinas-b', profileId: 'pergub-b', effectiveFrom: '2025-11-15' },
    );
    expect(assigned.status).toBe(201);
    expect(assigned.body.effectiveTo).toBeNull();
    const overlap = await c.api<Err>('POST', '/api/policy-profiles/assignments', {
      unitId: 'dinas-b',
      profileId: 'default',
      effectiveFrom: '2025-12-01',
    });
    expect(overlap.status).toBe(400);
    expect(overlap.body.error.message).toMatch(/effectiveFrom: overlaps assignment/);

    // The assignment recomputes the stored days: unit A's go back to the default.
    await waitProfile(eA, '2025-11-25', 'default');
    await waitProfile(eB, '2025-11-13', 'default');
    await waitProfile(eB1, '2025-11-25', 'pergub-b');
    const days = async (n: string) => Promise.all(DAYS.map((d) => profileOf(n, d)));
    expect(await days(eA)).toEqual(['TK:default:300', 'TK:default:300', 'TL3:default:125', 'TK:default:300']);
    // Only from the 15th: the 13th is still the default.
    expect(await days(eB)).toEqual([
      'TK:default:300',
      'TK:pergub-b:500',
      'TL3:pergub-b:125',
      'TK:pergub-b:500',
    ]);
    // The sub-unit inherits B's profile.
    expect(await days(eB1)).toEqual(await days(eB));

    expect(await allowance(eA)).toEqual({
      totalBp: 1025,
      lines: [
        '2025-11-13 TK 300 default',
        '2025-11-18 TK 300 default',
        '2025-11-20 TL3 125 default',
        '2025-11-25 TK 300 default',
      ],
    });
    expect(await allowance(eB)).toEqual({
      totalBp: 1425,
      lines: [
        '2025-11-13 TK 300 default',
        '2025-11-18 TK 500 pergub-b',
        '2025-11-20 TL3 125 pergub-b',
        '2025-11-25 TK 500 pergub-b',
      ],
    });

    const viewB1 = await unitProfile('bidang-b1', '2025-11-18');
    expect(viewB1.status).toBe(200);
    expect(viewB1.body).toMatchObject({
      unitId: 'bidang-b1',
      profile: { id: 'pergub-b', version: 1 },
      source: 'Assignment',
      inheritedFrom: 'dinas-b',
      assignmentId: assigned.body.id,
    });
    expect((await unitProfile('dinas-b', '2025-11-14')).body).toMatchObject({
      profile: { id: 'default' },
      source: 'Default',
      inheritedFrom: null,
    });
    expect((await unitProfile('dinas-a', '2025-11-18')).body).toMatchObject({
      profile: { id: 'default' },
      source: 'Default',
    });
    expect((await unitProfile('dinas-x', '2025-11-18')).status).toBe(404);
    const badDate = await c.api<Err>('GET', '/api/units/dinas-a/profile?date=2025-13-01');
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.message).toMatch(/date/);
  });

  it('lets a sub-unit’s own assignment win over its parent’s, and removing it recomputes', async () => {
    const own = await c.api<{ id: string }>('POST', '/api/policy-profiles/assignments', {
      unitId: 'bidang-b1',
      profileId: 'default',
      effectiveFrom: '2025-11-24',
    });
    expect(own.status).toBe(201);
    const listed = await c.api<Array<{ id: string; unitId: string }>>(
      'GET',
      '/api/policy-profiles/assignments?unitId=bidang-b1',
    );
    expect(listed.body.map((a) => a.id)).toEqual([own.body.id]);
    expect((await c.api<unknown[]>('GET', '/api/policy-profiles/assignments')).body).toHaveLength(2);

    await waitProfile(eB1, '2025-11-25', 'default');
    expect(await profileOf(eB1, '2025-11-18')).toBe('TK:pergub-b:500');
    expect(await profileOf(eB1, '2025-11-25')).toBe('TK:default:300');
    expect((await allowance(eB1)).totalBp).toBe(300 + 500 + 125 + 300);
    expect((await unitProfile('bidang-b1', '2025-11-25')).body).toMatchObject({
      inheritedFrom: 'bidang-b1',
      profile: { id: 'default' },
    });
    // B itself is not affected.
    expect(await profileOf(eB, '2025-11-25')).toBe('TK:pergub-b:500');

    const removed = await c.api<{ id: string }>('DELETE', `/api/policy-profiles/assignments/${own.body.id}`);
    expect(removed.status).toBe(200);
    expect(removed.body.id).toBe(own.body.id);
    expect((await c.api('DELETE', `/api/policy-profiles/assignments/${own.body.id}`)).status).toBe(404);
    await waitProfile(eB1, '2025-11-25', 'pergub-b');
    expect((await allowance(eB1)).totalBp).toBe(1425);
  });

  it('never rewrites a locked month: no assignment into it, no removal of one that applied to it', async () => {
    const lock = await c.api('POST', '/api/allowance/lock', { month: '2025-11', unitId: 'dinas-a' });
    expect(lock.status).toBe(201);
    const into = await c.api<Err>('POST', '/api/policy-profiles/assignments', {
      unitId: 'dinas-a',
      profileId: 'pergub-b',
      effectiveFrom: '2025-11-20',
    });
    expect(into.status).toBe(400);
    expect(into.body.error.message).toMatch(
      /effectiveFrom: 2025-11-20 falls on or before locked month 2025-11/,
    );
    const [b] = (await c.api<Array<{ id: string }>>('GET', '/api/policy-profiles/assignments?unitId=dinas-b'))
      .body;
    const removal = await c.api<Err>('DELETE', `/api/policy-profiles/assignments/${b?.id}`);
    expect(removal.status).toBe(409);
    expect(removal.body.error.message).toMatch(/locked month 2025-11/);
    const after = await c.api('POST', '/api/policy-profiles/assignments', {
      unitId: 'dinas-a',
      profileId: 'pergub-b',
      effectiveFrom: '2025-12-01',
      effectiveTo: '2025-12-31',
    });
    expect(after.status).toBe(201);
    // Without a date: today's profile (the December 2025 assignment is long over).
    const today = await c.api<UnitProfile & { date: string }>('GET', '/api/units/dinas-a/profile');
    expect(today.status).toBe(200);
    expect(today.body).toMatchObject({ profile: { id: 'default' }, source: 'Default' });
    expect(today.body.date > '2025-12-31').toBe(true);
    expect((await unitProfile('dinas-a', '2025-12-10')).body).toMatchObject({
      profile: { id: 'pergub-b' },
      inheritedFrom: 'dinas-a',
    });
  });

  it('documents the endpoints and their fields in the OpenAPI document', async () => {
    type Doc = { paths: Record<string, Record<string, unknown>> };
    const doc = await c.api<Doc>('GET', '/api/openapi.json', undefined, '');
    const paths = doc.body.paths;
    const post = JSON.stringify(paths['/api/policy-profiles/assignments']?.post);
    for (const field of ['unitId', 'profileId', 'effectiveFrom', 'effectiveTo'])
      expect(post).toContain(field);
    expect(Object.keys(paths['/api/policy-profiles/assignments'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(paths['/api/policy-profiles/assignments/{id}'] ?? {})).toEqual(['delete']);
    expect(JSON.stringify(paths['/api/units/{id}/profile']?.get)).toContain('inheritedFrom');
  });
});
