/** The pure parts of jobs, notifications and the lateness report. */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { csvField } from '../../backend/domain/csv.ts';
import type { DeductionKind } from '../../backend/domain/daily-record.ts';
import { buildLatenessReport, latenessCsv, type ReportDay } from '../../backend/domain/lateness-report.ts';
import { previousMonth } from '../../backend/jobs/backend-jobs.ts';
import { cronPeriod, intervalPeriod, periodTime } from '../../backend/jobs/job-runner.service.ts';
import {
  backoffMs,
  caseNotifications,
  latenessNotifications,
  signWebhook,
} from '../../backend/notifications/notification-plan.ts';

const at = new Date('2026-11-30T01:00:00Z');
const theCase = {
  id: 'case-1',
  employeeId: '199001012015011402',
  employeeName: 'Budi',
  unitId: 'dinkes',
  year: 2026,
  threshold: 'Cumulative:3',
  level: 'Light',
  sanction: 'VerbalWarning',
  label: 'teguran lisan',
  tkDays: 3,
  longestRun: 3,
  superiorNip: '199001012015011401',
  openedAt: at,
};

describe('who is told of a discipline case', () => {
  const to = { superiorUsers: ['u-head', 'u-spv'], bkdUsers: ['u-bkd', 'u-head'] };

  it('a light case: the superior’s inbox only, delivered as written', () => {
    const rows = caseNotifications(theCase, to, false, at);
    expect(rows.map((r) => [r.channel, r.recipient, r.dedupeKey, r.state])).toEqual([
      ['Inbox', 'u-head', 'case:case-1:level:Cumulative:3:user:u-head', 'Delivered'],
      ['Inbox', 'u-spv', 'case:case-1:level:Cumulative:3:user:u-spv', 'Delivered'],
    ]);
    expect(rows.every((r) => r.unitId === 'dinkes' && r.deliveredAt === at)).toBe(true);
  });

  it('an escalation: keys per case and level, so each level is told once and a lighter one is not told again', () => {
    const light = caseNotifications(theCase, to, false, at).map((r) => r.dedupeKey);
    const escalated = {
      ...theCase,
      threshold: 'Cumulative:14',
      level: 'Medium',
      escalatedFrom: 'Cumulative:4',
    };
    const rows = caseNotifications(escalated, to, true, at);
    expect(rows.map((r) => r.dedupeKey)).toEqual([
      'case:case-1:level:Cumulative:14:user:u-head',
      'case:case-1:level:Cumulative:14:user:u-spv',
      'case:case-1:level:Cumulative:14:user:u-bkd',
      'case:case-1:level:Cumulative:14:webhook',
    ]);
    expect(rows.some((r) => light.includes(r.dedupeKey))).toBe(false);
    expect(rows[0]?.title).toMatch(/naik ke Medium \(Cumulative:14\)/);
    expect(JSON.parse(rows[3]?.payload ?? '{}')).toMatchObject({
      caseId: 'case-1',
      threshold: 'Cumulative:14',
      escalatedFrom: 'Cumulative:4',
    });
    // The same level found again (a recompute) gives the same keys: the unique key refuses a second row.
    expect(caseNotifications(escalated, to, true, at).map((r) => r.dedupeKey)).toEqual(
      rows.map((r) => r.dedupeKey),
    );
  });

  it('a medium or heavy case: BKD users too (each once), and one pending webhook', () => {
    const rows = caseNotifications({ ...theCase, level: 'Medium' }, to, true, at);
    expect(rows.map((r) => [r.channel, r.recipient, r.state])).toEqual([
      ['Inbox', 'u-head', 'Delivered'],
      ['Inbox', 'u-spv', 'Delivered'],
      ['Inbox', 'u-bkd', 'Delivered'],
      ['Webhook', 'bkd', 'Pending'],
    ]);
    expect(JSON.parse(rows[3]?.payload ?? '{}')).toMatchObject({ type: 'DisciplineCase', caseId: 'case-1' });
    expect(new Set(rows.map((r) => r.id)).size).toBe(4);
  });

  it('the lateness report: BKD inboxes get a summary, the webhook the whole report', () => {
    const report = {
      zone: 'Asia/Makassar',
      date: '2026-11-27',
      totals: { late: 2, earlyLeave: 0, absent: 1, employees: 3 },
      units: [{ unitId: 'x' }],
    };
    const rows = latenessNotifications(report, ['u-bkd'], at);
    expect(rows.map((r) => [r.channel, r.dedupeKey])).toEqual([
      ['Inbox', 'lateness:Asia/Makassar:2026-11-27:user:u-bkd'],
      ['Webhook', 'lateness:Asia/Makassar:2026-11-27:webhook'],
    ]);
    expect(JSON.parse(rows[0]?.payload ?? '{}')).not.toHaveProperty('units');
    expect(JSON.parse(rows[1]?.payload ?? '{}').units).toEqual([{ unitId: 'x' }]);
  });

  it('retries with doubling delays, capped; signs timestamp and body', () => {
    expect([1, 2, 3, 4, 10].map((n) => backoffMs(n, 1000, 5000))).toEqual([1000, 2000, 4000, 5000, 5000]);
    const expected = createHmac('sha256', 'k').update('2026-11-30T01:00:00.000Z.{"a":1}').digest('hex');
    expect(signWebhook('k', '2026-11-30T01:00:00.000Z', '{"a":1}')).toBe(`sha256=${expected}`);
  });
});

describe('job periods', () => {
  it('are the tick’s minute for cron jobs and the slot for interval jobs', () => {
    expect(cronPeriod(new Date('2026-12-01T00:15:00.999Z'))).toBe('2026-12-01T00:15');
    expect(intervalPeriod(Date.parse('2026-12-01T00:00:07.5Z'), 5000)).toBe('every:2026-12-01T00:00:05.000Z');
  });

  it('a retried or taken-over period works on its own tick’s time, a manual run on now', () => {
    const now = Date.parse('2026-12-03T10:00:00Z');
    // The 1 Dec 02:00 WIB month close, retried two days later, still closes November.
    expect(previousMonth(periodTime(cronPeriod(new Date('2026-11-30T19:00:00Z')), now), 'Asia/Jakarta')).toBe(
      '2026-11',
    );
    expect(periodTime('2026-12-01T00:15', now)).toBe(Date.parse('2026-12-01T00:15:00Z'));
    expect(periodTime('manual:2026-12-03T09:59:00.000Z', now)).toBe(now);
    expect(periodTime('every:2026-12-01T00:00:05.000Z', now)).toBe(now);
  });

  it('the month close takes the month before today in the zone', () => {
    // 1 Dec 02:00 WIB is still 30 Nov in UTC.
    expect(previousMonth(Date.parse('2026-11-30T19:00:00Z'), 'Asia/Jakarta')).toBe('2026-11');
    expect(previousMonth(Date.parse('2026-11-30T19:00:00Z'), 'UTC')).toBe('2026-10');
    expect(previousMonth(Date.parse('2027-01-01T00:00:00+07:00'), 'Asia/Jakarta')).toBe('2026-12');
  });
});

describe('the lateness report', () => {
  // The default profile's codes, with the deduction kinds the rules engine gives them.
  const kindOf = (code: string): DeductionKind | null =>
    code === 'TK' ? 'Absent' : /^TL/.test(code) ? 'Late' : /^PSW/.test(code) ? 'EarlyDeparture' : null;
  const day = (o: Partial<ReportDay> & Pick<ReportDay, 'employeeId' | 'unitId'>): ReportDay => ({
    status: 'Present',
    codes: [],
    lateMinutes: null,
    earlyMinutes: null,
    arrival: null,
    departure: null,
    provisional: false,
    deductions: (o.codes ?? []).flatMap((code) => {
      const kind = kindOf(code);
      return kind ? [{ kind, code }] : [];
    }),
    ...o,
  });
  const days = [
    day({ employeeId: '2', unitId: 'b', codes: ['TL1', 'PSW4'], lateMinutes: 5, earlyMinutes: null }),
    day({
      employeeId: '1',
      unitId: 'b',
      codes: ['TL4'],
      lateMinutes: 120,
      arrival: Date.parse('2026-11-04T02:30:00Z'),
    }),
    day({ employeeId: '3', unitId: 'a', status: 'Absent', codes: ['TK'] }),
    day({ employeeId: '4', unitId: 'a', codes: [] }),
    day({ employeeId: '5', unitId: 'a', status: 'Excused', codes: ['CT'] }),
    day({ employeeId: '6', unitId: 'a', status: 'Holiday', codes: ['TK'] }),
  ];
  const r = buildLatenessReport(
    '2026-11-04',
    days,
    new Map([['1', 'Ani, S.Kom']]),
    new Map([['a', 'Unit A']]),
  );

  it('groups late, early and absent by unit; holidays and days off do not count', () => {
    expect(r.workingEmployees).toBe(5);
    expect(r.totals).toEqual({ late: 2, earlyLeave: 1, absent: 1, employees: 3 });
    expect(
      r.units.map((u) => [u.unitId, u.unitName, u.late.length, u.earlyLeave.length, u.absent.length]),
    ).toEqual([
      ['a', 'Unit A', 0, 0, 1],
      ['b', 'b', 2, 1, 0],
    ]);
    expect(r.units[1]?.late.map((l) => [l.nip, l.code, l.minutes, l.at])).toEqual([
      ['1', 'TL4', 120, '2026-11-04T02:30:00.000Z'],
      ['2', 'TL1', 5, null],
    ]);
  });

  it('classifies a day by what the rules decided, not by the spelling of a profile’s codes', () => {
    // A region's profile: absent 'A', lateness 'T1'–'T4', a missing clock-out 'P4'. The allowance
    // deducts these days and discipline counts the absence; the daily report must list them too.
    const region = buildLatenessReport(
      '2026-11-04',
      [
        day({
          employeeId: '7',
          unitId: 'a',
          status: 'Absent',
          codes: ['A'],
          deductions: [{ kind: 'Absent', code: 'A' }],
        }),
        day({
          employeeId: '8',
          unitId: 'a',
          codes: ['T2', 'P4'],
          lateMinutes: 40,
          deductions: [
            { kind: 'Late', code: 'T2' },
            { kind: 'MissingClockOut', code: 'P4' },
          ],
        }),
        day({
          employeeId: '9',
          unitId: 'a',
          codes: ['T4'],
          deductions: [{ kind: 'MissingClockIn', code: 'T4' }],
        }),
        // A leave whose code happens to look like a late code deducts nothing late: not listed.
        day({
          employeeId: '10',
          unitId: 'a',
          status: 'Excused',
          codes: ['TL1'],
          deductions: [{ kind: 'Leave', code: 'TL1' }],
        }),
      ],
      new Map(),
      new Map(),
    );
    const u = region.units[0];
    expect(u?.absent).toEqual([{ nip: '7', name: '', code: 'A', provisional: false }]);
    expect(u?.late.map((e) => [e.nip, e.code, e.minutes])).toEqual([
      ['8', 'T2', 40],
      ['9', 'T4', null],
    ]);
    expect(u?.earlyLeave.map((e) => [e.nip, e.code])).toEqual([['8', 'P4']]);
    expect(region.totals).toEqual({ late: 2, earlyLeave: 1, absent: 1, employees: 3 });
    expect(latenessCsv(region)).toContain('2026-11-04,a,a,7,,Absent,A,,,false');
  });

  it('writes CSV, quoting what needs it', () => {
    expect(latenessCsv(r).split('\r\n')).toEqual([
      'date,unit_id,unit_name,nip,name,kind,code,minutes,at,provisional',
      '2026-11-04,a,Unit A,3,,Absent,TK,,,false',
      '2026-11-04,b,b,1,"Ani, S.Kom",Late,TL4,120,2026-11-04T02:30:00.000Z,false',
      '2026-11-04,b,b,2,,Late,TL1,5,,false',
      '2026-11-04,b,b,2,,EarlyLeave,PSW4,,,false',
      '',
    ]);
  });

  it('defuses a name that a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://x","klik")')).toBe(`"'=HYPERLINK(""http://x"",""klik"")"`);
    expect(csvField('+62 812')).toBe("'+62 812");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(-5)).toBe('-5');
    expect(csvField('Siti')).toBe('Siti');
  });
});
