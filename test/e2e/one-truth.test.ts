/**
 * One source of truth (issue #11, point 8) on the real server, through REST and MQTT: a generated
 * month (500 employees, some starting or leaving mid-month, punches from two kiosks in two zones
 * and leave of every kind, test/e2e/one-truth-data.ts) is closed, and the daily lateness reports,
 * the day records, the monthly allowance and the discipline cases agree per employee and code.
 * "No data" is never TK: days before the start or after the end, the holiday, and the outage day
 * of the branch kiosk while it still holds that day's punches (Pending) carry no TK.
 * The month is the one before the current one (a kiosk's claim of unsent punches is believed 45
 * days back); the periodic jobs are off, so the only days of the year are the month's and the
 * discipline count is the month's TK days.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type IsoDate, lastDateOfMonth, PP94_CUMULATIVE_THRESHOLDS } from '../../backend/domain/index.ts';
import { Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { until } from '../support/mqtt.ts';
import { BulkKiosk } from './bulk-kiosk.ts';
import {
  BRANCH_SITE,
  generateMonth,
  type Month,
  previousMonth,
  REGION_CODES,
  REGION_UNIT,
} from './one-truth-data.ts';
import {
  allowance,
  cases,
  type LatenessReport,
  type ListedDay,
  lateness,
  lines,
  longestTkRun,
  monthDays,
  tallyAllowance,
  tallyDays,
  tallyReports,
} from './one-truth-views.ts';

const SEED = 20_261_107;
/** What the daily report lists: late arrivals, early departures and absences, in either profile's codes. */
const REPORTED = /^(TL\d|PSW\d|TK|T\d|P\d|A)$/;
const ALL_CODES = ['TL1', 'TL2', 'TL3', 'TL4', 'PSW1', 'PSW2', 'PSW3', 'PSW4', 'TK'];
const LEAVE_CODES = ['CT', 'CS', 'CM', 'CAP', 'CB', 'DL', 'TD'];

async function run<T>(items: readonly T[], width: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

async function ok(c: Cluster, method: string, path: string, body: unknown, status = 201) {
  const r = await c.api<{ id?: string }>(method, path, body);
  if (r.status !== status) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The month's people, holiday, branch site and leave, through REST. */
async function setUp(c: Cluster, m: Month): Promise<void> {
  await ok(c, 'POST', '/api/sites', { id: BRANCH_SITE, name: 'Kantor Cabang Timur', timeZone: 'WITA' });
  await ok(c, 'POST', '/api/calendar/holidays', {
    date: m.holiday,
    name: 'Libur uji',
    kind: 'RegionalHoliday',
  });
  // A region's profile for one unit: the same rules under codes of its own, TK at 5 %.
  await ok(c, 'POST', '/api/units', { id: REGION_UNIT, name: 'Dinas B' });
  const template = (await c.api<Record<string, unknown>>('GET', '/api/policy-profiles/template')).body;
  const brackets = (prefix: string, list: unknown) =>
    (list as Array<{ code: string }>).map((b) => ({ ...b, code: REGION_CODES[b.code] ?? `${prefix}?` }));
  const late = template.late as { brackets: unknown };
  await ok(c, 'POST', '/api/policy-profiles', {
    ...template,
    id: 'pergub-b',
    version: 1,
    name: 'Pergub B: kode sendiri',
    effectiveFrom: '2020-01-01',
    late: { ...late, brackets: brackets('T', late.brackets) },
    early: { brackets: brackets('P', (template.early as { brackets: unknown }).brackets) },
    missingClockIn: { code: 'T4', deductionBp: 150 },
    missingClockOut: { code: 'P4', deductionBp: 150 },
    absent: { code: 'A', deductionBp: 500 },
  });
  await ok(c, 'POST', '/api/policy-profiles/assignments', {
    unitId: REGION_UNIT,
    profileId: 'pergub-b',
    effectiveFrom: '2020-01-01',
  });
  await run(m.people, 8, async (p) => {
    await ok(c, 'POST', '/api/employees', {
      nip: p.nip,
      name: p.name,
      ...(p.region ? { unitId: REGION_UNIT } : {}),
      startDate: p.startDate,
      ...(p.endDate ? { endDate: p.endDate, endReason: 'Retirement' } : {}),
      ...(p.branch ? { siteId: BRANCH_SITE } : {}),
      baseAmount: 5_000_000,
    });
  });
}

/**
 * The leave, entered after the punches (as an office does: the request, then its decision). Until
 * it is decided a day without punches is TK (only approved leave excuses), which can open a case;
 * the approval takes the count back down and the case is flagged for review, not downgraded.
 */
async function enterLeave(c: Cluster, m: Month): Promise<void> {
  await run(m.leaves, 8, async (l) => {
    const { decision, ...body } = l;
    const created = await ok(c, 'POST', '/api/leave', body);
    if (decision) await ok(c, 'POST', `/api/leave/${created.id}/decision`, { approval: decision }, 200);
  });
}

/** Waits until every day marked for recomputation before now is done (a recompute answers after them). */
async function drain(c: Cluster, m: Month): Promise<void> {
  const p = m.people[2];
  await ok(
    c,
    'POST',
    '/api/attendance/recompute',
    { from: m.workdays[0], to: m.workdays[0], employeeId: p?.nip },
    200,
  );
}

const key = (d: { employeeId: string; workDate: string }) => `${d.employeeId} ${d.workDate}`;
/** What the rules decided of a day, without when it was computed. */
const decided = (d: ListedDay) =>
  JSON.stringify([
    d.status,
    d.codes,
    d.deductionBp,
    d.lateMinutes,
    d.earlyMinutes,
    d.arrival,
    d.departure,
    d.ignoredPunches.map((p) => [p.at, p.reason]),
  ]);

describeEachDb('one source of truth for a generated month on %s', (db) => {
  let c: Cluster;
  let main: BulkKiosk;
  let branch: BulkKiosk;
  const m = generateMonth(previousMonth(Date.now()), SEED);
  const first = `${m.month}-01` as IsoDate;
  const lastOfMonth = lastDateOfMonth(m.month);
  const delayed = m.punches.filter((p) => p.branch && p.date === m.outage);
  const branchPeople = new Set(m.people.filter((p) => p.branch).map((p) => p.nip));
  const closeMonth = () => ok(c, 'POST', '/api/allowance/close', { month: m.month }, 200);
  const t0 = Date.now();

  beforeAll(async () => {
    c = await Cluster.start({ db, env: { JOBS_ENABLED: 'false' } });
    await setUp(c, m);
    main = await BulkKiosk.connect(c, 'Gerbang utama');
    branch = await BulkKiosk.connect(c, 'Gerbang cabang', BRANCH_SITE);
    await main.status(0);
    await branch.status(0);
    const now = m.punches.filter((p) => !delayed.includes(p));
    await Promise.all([main.send(now.filter((p) => !p.branch)), branch.send(now.filter((p) => p.branch))]);
    await enterLeave(c, m);
    await drain(c, m);
    console.log(
      `[one-truth ${db}] ${m.month}: ${m.people.length} employees, ${m.punches.length} punches, ` +
        `${m.leaves.length} leaves set up in ${Math.round((Date.now() - t0) / 1000)} s`,
    );
  }, 600_000);
  afterAll(async () => {
    await main?.close();
    await branch?.close();
    await c?.stop();
    console.log(`[one-truth ${db}] ${Math.round((Date.now() - t0) / 1000)} s in all`);
  });

  it('the month close decides every day as the per-day engine did on ingest', async () => {
    const before = await monthDays(c, first, lastOfMonth);
    expect(before.length).toBeGreaterThan(m.people.length * 5);
    // The branch kiosk then holds the outage day's punches: its site's days from then on wait.
    await branch.status(delayed.length, `${m.outage}T06:30:00.000+08:00`);
    await until(async () => {
      const r = await c.api<Array<{ id: string; lastStatus: { outboxDepth?: number } | null }>>(
        'GET',
        '/api/terminals',
      );
      return r.body.find((t) => t.id === branch.id)?.lastStatus?.outboxDepth === delayed.length;
    }, 10_000);
    await closeMonth();
    const after = new Map((await monthDays(c, first, lastOfMonth)).map((d) => [key(d), d]));
    const differ = before
      .filter((d) => decided(d) !== decided(after.get(key(d)) as ListedDay))
      .map((d) => `${key(d)}: ${decided(d)} → ${decided(after.get(key(d)) as ListedDay)}`);
    expect(differ).toEqual([]);
  });

  it('a kiosk outage is no data, not TK: the branch’s outage day is Pending in every view', async () => {
    const days = await monthDays(c, m.outage, m.outage);
    const branchDays = days.filter((d) => branchPeople.has(d.employeeId));
    expect(branchDays.length).toBeGreaterThan(30);
    expect(branchDays.filter((d) => d.codes.includes('TK') || d.status === 'Absent')).toEqual([]);
    expect(new Set(branchDays.map((d) => d.status))).toContain('Pending');
    expect(branchDays.every((d) => d.status === 'Pending' || d.status === 'Excused')).toBe(true);
    const report = await lateness(c, m.outage);
    const flagged = report.units.flatMap((u) => [...u.late, ...u.earlyLeave, ...u.absent]);
    expect(flagged.filter((e) => branchPeople.has(e.nip))).toEqual([]);
    // …while the main site's absences that day are TK as usual.
    expect(report.units.flatMap((u) => u.absent).length).toBeGreaterThan(0);
    const rows = await allowance(c, m.month);
    const pending = branchDays.filter((d) => d.status === 'Pending').map((d) => d.employeeId);
    for (const nip of pending)
      expect(rows.find((r) => r.employeeId === nip)?.unsettledDates, nip).toEqual([m.outage]);

    // The punches come in; the kiosk's outbox is empty: the day is decided, absences now TK.
    await branch.send(delayed);
    await branch.status(0);
    const settled = await until(
      async () => {
        const d = await monthDays(c, m.outage, m.outage);
        return d.filter((x) => branchPeople.has(x.employeeId) && x.status === 'Pending').length === 0;
      },
      60_000,
      300,
    );
    expect(settled).toBe(true);
    await drain(c, m);
    await closeMonth();
  });

  it('day records, daily reports, allowance and discipline agree per employee and code', async () => {
    const days = await monthDays(c, first, lastOfMonth);
    const reports: LatenessReport[] = [];
    for (const date of [...m.workdays, m.holiday]) reports.push(await lateness(c, date));
    const rows = await allowance(c, m.month);
    const all = await cases(c, m.month.slice(0, 4));

    // The day records are what the generator meant, day by day; nothing outside service or on the holiday.
    const inService = new Map(m.people.map((p) => [p.nip, p]));
    const wrong: string[] = [];
    const seen = new Set<string>();
    for (const d of days) {
      const meant = m.intent.get(d.employeeId)?.get(d.workDate as IsoDate);
      seen.add(key(d));
      if (meant === undefined) {
        if (d.codes.length > 0 || (d.status !== 'OffDay' && d.status !== 'Holiday'))
          wrong.push(`${key(d)} ${d.status} ${d.codes} (not a working day in service)`);
      } else if (JSON.stringify(d.codes) !== JSON.stringify(meant))
        wrong.push(`${key(d)} ${d.status} ${d.codes} ≠ ${meant}`);
    }
    for (const [nip, intent] of m.intent)
      for (const date of intent.keys()) if (!seen.has(`${nip} ${date}`)) wrong.push(`${nip} ${date} missing`);
    expect(wrong.slice(0, 20)).toEqual([]);
    const outside = days.filter((d) => {
      const p = inService.get(d.employeeId);
      return p && (d.workDate < p.startDate || (p.endDate !== null && d.workDate > p.endDate));
    });
    expect(outside.length).toBeGreaterThan(0);
    expect(outside.filter((d) => d.codes.length > 0)).toEqual([]);
    expect(days.filter((d) => d.workDate === m.holiday && d.codes.length > 0)).toEqual([]);

    // 1 = 2: the day records and the daily reports, per employee and code.
    const fromDays = tallyDays(days);
    expect(lines(tallyReports(reports))).toEqual(lines(fromDays, (code) => REPORTED.test(code)));
    // 1 = 3: the allowance counts the same codes, the same TK dates, the same basis points.
    expect(rows).toHaveLength(m.people.length);
    expect(lines(tallyAllowance(rows))).toEqual(lines(fromDays));
    for (const r of rows) {
      const own = days.filter((d) => d.employeeId === r.employeeId);
      expect(r.absentDates, r.employeeId).toEqual(
        own.filter((d) => d.status === 'Absent').map((d) => d.workDate),
      );
      expect(r.grossBp, r.employeeId).toBe(own.reduce((s, d) => s + d.deductionBp, 0));
      expect(r.unsettledDates, r.employeeId).toEqual([]);
    }
    // 1 = 4: discipline counts the same TK days: every case of the employee says so, and a case is
    // at the level of that count, or above it (reached while leave was not yet approved) and then
    // flagged for review.
    const runs = longestTkRun(days);
    const withLeave = new Set(m.leaves.filter((l) => l.decision === 'Approved').map((l) => l.employeeId));
    const wrongCases: string[] = [];
    const flagged: string[] = [];
    for (const p of m.people) {
      const tk = (fromDays.get(p.nip)?.get('TK') ?? 0) + (fromDays.get(p.nip)?.get('A') ?? 0);
      const own = all.filter((x) => x.employeeId === p.nip);
      if (own.some((x) => x.tkDays !== tk)) wrongCases.push(`${p.nip}: a case counts ≠ ${tk} TK days`);
      const level = PP94_CUMULATIVE_THRESHOLDS.find(
        (t) => tk >= t.minDays && (t.maxDays === null || tk <= t.maxDays),
      );
      const want = level ? `Cumulative:${level.minDays}` : null;
      const wantConsecutive = (runs.get(p.nip) ?? 0) >= 10 ? 'Consecutive:10' : null;
      for (const [basis, wanted] of [
        ['Cumulative', want],
        ['Consecutive', wantConsecutive],
      ] as const) {
        const mine = own.filter((x) => x.basis === basis);
        const exact = mine.length === 1 && mine[0]?.threshold === wanted && !mine[0]?.reviewNeeded;
        const review = mine.length === 1 && mine[0]?.reviewNeeded === true && wanted !== mine[0]?.threshold;
        if (mine.length === 0 && wanted === null) continue;
        if (exact) continue;
        if (review) flagged.push(p.nip);
        else
          wrongCases.push(
            `${p.nip}: ${mine.map((x) => `${x.threshold}${x.reviewNeeded ? '?' : ''}`)} ≠ ${wanted}`,
          );
      }
    }
    // A case flagged for review is that of an employee whose leave was approved after the fact.
    expect(flagged.filter((nip) => !withLeave.has(nip))).toEqual([]);
    console.log(
      `[one-truth ${db}] ${all.length} cases, ${flagged.length} flagged for review after leave approval`,
    );
    expect(wrongCases.slice(0, 20)).toEqual([]);

    // The month covers every outcome, so that the comparison cannot pass on a degenerate month.
    const codes = new Set(days.flatMap((d) => d.codes));
    const regionCodes = Object.values(REGION_CODES);
    expect([...ALL_CODES, ...regionCodes, ...LEAVE_CODES].filter((x) => !codes.has(x))).toEqual([]);
    const reasons = new Set(
      days.flatMap((d) => [...d.reasons.map((r) => r.code), ...d.ignoredPunches.map((p) => p.reason)]),
    );
    const wanted = ['PermitLateArrival', 'PermitEarlyDeparture', 'LeaveNotApproved', 'LeaveNeedsDocument'];
    wanted.push(
      'Duplicate',
      'OutsideWindow',
      'Intermediate',
      'OutsideEmployment',
      'MissingClockIn',
      'MissingClockOut',
    );
    expect(wanted.filter((x) => !reasons.has(x))).toEqual([]);
    const tks = m.people.map(
      (p) => (fromDays.get(p.nip)?.get('TK') ?? 0) + (fromDays.get(p.nip)?.get('A') ?? 0),
    );
    for (const n of [0, 1, 2]) expect(tks).toContain(n);
    expect(tks.filter((n) => n >= 3).length).toBeGreaterThan(10);
    expect(new Set(all.map((x) => x.basis))).toEqual(new Set(['Cumulative', 'Consecutive']));
    expect(reports.find((r) => r.date === m.holiday)?.workingEmployees).toBe(0);
    // The absent entry's code is documented in the OpenAPI document.
    const doc = await c.api<{ paths: Record<string, { get?: { responses: Record<string, unknown> } }> }>(
      'GET',
      '/api/openapi.json',
    );
    const answer = JSON.stringify(doc.body.paths['/api/reports/lateness']?.get?.responses['200']);
    expect(answer).toMatch(/the absent code of the day's policy profile/);
  });
});
