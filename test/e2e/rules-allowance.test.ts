/**
 * Monthly allowance, month lock and discipline end to end through the real server and database:
 * a correction after a locked month becomes an adjustment in the next open month, the CSV export,
 * profile versions that may not reach into a locked month, and a PP 94/2021 case opened at the
 * third TK day for the direct superior, with the decision recorded.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { nip } from '../support/punches.ts';
import { createEmployeeIn, type Day, dayOf, type Err, rawGet, recompute, wib } from './rules-support.ts';

type Row = {
  employeeId: string;
  locked: boolean;
  baseAmount: number;
  totalBp: number;
  deductionAmount: number;
  payableAmount: number;
  adjustmentTotal: number;
  netAmount: number;
  codeCounts: Record<string, number>;
  lines: Array<{ date: string; code: string; countedBp: number; amount: number }>;
};
type Adjustment = {
  employeeId: string;
  sourceMonth: string;
  targetMonth: string;
  amount: number;
  bpDelta: number;
};
type Case = {
  id: string;
  employeeId: string;
  year: number;
  threshold: string;
  level: string;
  sanction: string;
  tkDays: number;
  superiorNip: string | null;
  notify: Array<{ to: string; nip?: string | null }>;
  state: string;
  decision: string | null;
  decidedBy: string | null;
};

describeEachDb('allowance and discipline end to end on %s', (db) => {
  let c: Cluster;
  beforeAll(async () => {
    c = await Cluster.start({ db });
    await c.query((p) =>
      p.unit.createMany({
        data: [
          { id: 'upt-lock', name: 'UPT Pengujian' },
          { id: 'dinsos', name: 'Dinas Sosial' },
        ],
      }),
    );
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('carries a correction of a locked month into the next open month as an adjustment', async () => {
    const e4 = nip(201);
    await createEmployeeIn(c, e4, 'Rina Wulandari', 'upt-lock');
    const set = await c.api('PATCH', `/api/employees/${e4}/attendance`, { baseAmount: 5_000_000 });
    expect(set.status).toBe(200);
    // On leave all of October but the last Friday, which is TK (3 %).
    const leave = await c.api<{ id: string }>('POST', '/api/leave', {
      employeeId: e4,
      kind: 'AnnualLeave',
      from: '2026-10-01',
      to: '2026-10-29',
    });
    await c.api('POST', `/api/leave/${leave.body.id}/decision`, { approval: 'Approved' });

    // A month that is not over cannot be locked: next month (WIB), never settled whatever the date
    // this runs on (the current one may be, once its last day's punch window has closed).
    const d = new Date(Date.now() + 7 * 3_600_000);
    const nextMonth = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1))
      .toISOString()
      .slice(0, 7);
    const early = await c.api<Err>('POST', '/api/allowance/lock', { month: nextMonth, unitId: 'upt-lock' });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toMatch(/not settled/);

    const locked = await c.api<{ employees: number; payableTotal: number }>('POST', '/api/allowance/lock', {
      month: '2026-10',
      unitId: 'upt-lock',
    });
    expect(locked.status).toBe(201);
    expect(locked.body).toMatchObject({ employees: 1, payableTotal: 4_850_000 });
    const twice = await c.api<Err>('POST', '/api/allowance/lock', { month: '2026-10', unitId: 'upt-lock' });
    expect(twice.status).toBe(409);
    expect((await dayOf(c, e4, '2026-10-30'))?.codes).toEqual(['TK']);

    // The kiosk was broken that Friday; the guard's book shows her in and out.
    for (const [time, reason] of [
      ['07:25', 'kiosk rusak; buku tamu satpam: datang 07:25'],
      ['16:40', 'kiosk rusak; buku tamu satpam: pulang 16:40'],
    ] as const) {
      const r = await c.api<{ days: Day[] }>('POST', '/api/attendance/corrections', {
        employeeId: e4,
        action: 'Add',
        at: wib('2026-10-30', time),
        reason,
      });
      expect(r.status).toBe(201);
    }
    expect(await dayOf(c, e4, '2026-10-30')).toMatchObject({ status: 'Present', codes: [] });

    // What was paid for October stays as it was…
    const october = await c.api<Row[]>('GET', `/api/allowance?month=2026-10&employeeId=${e4}`);
    expect(october.body).toHaveLength(1);
    expect(october.body[0]).toMatchObject({ locked: true, payableAmount: 4_850_000, totalBp: 300 });
    expect(october.body[0]?.lines).toEqual([
      expect.objectContaining({ date: '2026-10-30', code: 'TK', countedBp: 300, amount: 150_000 }),
    ]);
    // …and the difference is paid in November, the next open month.
    // Each correction adjusts against what was carried before: TK → PSW4 (arrival only), then → none.
    const adjustments = await c.api<Adjustment[]>('GET', `/api/allowance/adjustments?employeeId=${e4}`);
    expect(adjustments.body.map((a) => [a.sourceMonth, a.targetMonth, a.amount, a.bpDelta])).toEqual([
      ['2026-10', '2026-11', 75_000, -150],
      ['2026-10', '2026-11', 75_000, -150],
    ]);
    const november = await c.api<Row[]>('GET', `/api/allowance?month=2026-11&employeeId=${e4}`);
    expect(november.body[0]).toMatchObject({ locked: false, adjustmentTotal: 150_000 });
    expect(november.body[0]?.netAmount).toBe((november.body[0]?.payableAmount ?? 0) + 150_000);

    // A profile may not take effect inside the locked month; from December it may.
    const template = await c.api<Record<string, unknown>>('GET', '/api/policy-profiles/template');
    const intoLocked = await c.api<Err>('POST', '/api/policy-profiles', {
      ...template.body,
      id: 'kab-contoh',
      version: 1,
      effectiveFrom: '2026-10-15',
      absent: { code: 'TK', deductionBp: 500 },
    });
    expect(intoLocked.status).toBe(400);
    expect(intoLocked.body.error.message).toMatch(/locked month 2026-10/);
    const fromDecember = await c.api<{ id: string; version: number }>('POST', '/api/policy-profiles', {
      ...template.body,
      id: 'kab-contoh',
      version: 1,
      effectiveFrom: '2026-12-01',
      absent: { code: 'TK', deductionBp: 500 },
    });
    expect(fromDecember.status).toBe(201);
    const profiles = await c.api<Array<{ id: string; version: number }>>('GET', '/api/policy-profiles');
    expect(profiles.body.map((p) => `${p.id}@${p.version}`)).toEqual(['default@1', 'kab-contoh@1']);
  });

  it('exports the allowance as CSV, one line per employee or per deduction', async () => {
    const csv = await rawGet(c, '/api/allowance?month=2026-10&unitId=upt-lock&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/^text\/csv/);
    const [header, ...rows] = csv.text.trim().split('\r\n');
    expect(header).toBe(
      'nip,name,unit_id,month,locked,base_amount,deduction_bp,deduction_amount,payable_amount,adjustment_amount,net_amount,codes,unsettled_days',
    );
    expect(rows).toEqual([
      `${nip(201)},Rina Wulandari,upt-lock,2026-10,true,5000000,300,150000,4850000,0,4850000,CT:21 TK:1,0`,
    ]);
    const lines = await rawGet(c, '/api/allowance?month=2026-10&unitId=upt-lock&format=csv-lines');
    expect(lines.text.trim().split('\r\n')).toEqual([
      'nip,month,date,kind,code,bp,counted_bp,amount,note',
      `${nip(201)},2026-10,2026-10-30,Absent,TK,300,300,150000,`,
    ]);
  });

  it('opens a case at the third TK day for the direct superior, once, and records the decision', async () => {
    const head = nip(301);
    const e5 = nip(302);
    await createEmployeeIn(c, head, 'Kepala Seksi', 'dinsos');
    await createEmployeeIn(c, e5, 'Agus Prasetyo', 'dinsos');
    await c.api('PATCH', `/api/employees/${e5}/attendance`, { superiorNip: head });

    // 2025, so that the server's day-close job (the last 7 days of 2026) cannot add TK days to the count.
    // It still marks those days TK for an employee without a start date (issue #11), which can open a
    // case for 2026 (five working days before a Monday): the cases are read for 2025.
    await recompute(c, { from: '2025-11-03', to: '2025-11-04', employeeId: e5 });
    let cases = await c.api<Case[]>('GET', `/api/discipline?year=2025&employeeId=${e5}`);
    expect(cases.body).toEqual([]);
    await recompute(c, { from: '2025-11-03', to: '2025-11-05', employeeId: e5 });
    await recompute(c, { from: '2025-11-03', to: '2025-11-05', employeeId: e5 }); // idempotent
    cases = await c.api<Case[]>('GET', `/api/discipline?year=2025&employeeId=${e5}`);
    expect(cases.body).toHaveLength(1);
    expect(cases.body[0]).toMatchObject({
      year: 2025,
      threshold: 'Cumulative:3',
      level: 'Light',
      sanction: 'VerbalWarning',
      tkDays: 3,
      superiorNip: head,
      notify: [{ to: 'DirectSuperior', nip: head }],
      state: 'Open',
    });

    const id = cases.body[0]?.id as string;
    const decided = await c.api<Case>('POST', `/api/discipline/${id}/decision`, {
      decision: 'Teguran lisan disampaikan oleh atasan langsung pada 2025-11-07',
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({
      state: 'Decided',
      decision: expect.stringMatching(/Teguran lisan/),
    });
    expect(decided.body.decidedBy).toBeTruthy();
    expect((await c.api<Case[]>('GET', `/api/discipline?year=2025&employeeId=${e5}`)).body).toEqual([]);
    const all = await c.api<Case[]>('GET', `/api/discipline?year=2025&employeeId=${e5}&state=All`);
    expect(all.body).toHaveLength(1);

    // A fourth TK day crosses the next threshold: a new case (written warning).
    await recompute(c, { from: '2025-11-06', to: '2025-11-06', employeeId: e5 });
    const next = await c.api<Case[]>('GET', `/api/discipline?year=2025&employeeId=${e5}`);
    expect(next.body.map((x) => [x.threshold, x.sanction, x.tkDays])).toEqual([
      ['Cumulative:4', 'WrittenWarning', 4],
    ]);
  });
});
