/**
 * The daily lateness report through the real server and database: a late arrival, an early
 * departure and an absence on Wednesday 4 November 2026 (WIB), by unit, as JSON and CSV, scoped
 * to the caller's unit; and the daily report job (run in the test process against the same
 * database with the clock injected) putting it in the outbox once, from where the server's
 * dispatcher delivers it to a real webhook receiver on loopback, and into BKD users' inboxes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CalendarRepository } from '../../backend/attendance/calendar.repository.ts';
import { RulesConfigRepository } from '../../backend/attendance/rules-config.repository.ts';
import { RulesContextService } from '../../backend/attendance/rules-context.service.ts';
import { openDatabase } from '../../backend/db/database.ts';
import type { LatenessReport } from '../../backend/domain/lateness-report.ts';
import { NotificationRepository } from '../../backend/notifications/notification.repository.ts';
import { LatenessReportService } from '../../backend/reports/lateness-report.service.ts';
import { ReportRepository } from '../../backend/reports/report.repository.ts';
import { logger } from '../../lib/logger.ts';
import { Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { until } from '../support/mqtt.ts';
import { nip } from '../support/punches.ts';
import { WebhookReceiver } from './jobs-support.ts';
import {
  createEmployeeIn,
  type Err,
  FakeKiosk,
  loginAs,
  rawGet,
  recompute,
  waitDay,
  wib,
} from './rules-support.ts';

const SECRET = 'bkd-webhook-secret-reports-1';
const DATE = '2026-11-04';

describeEachDb('lateness report on %s', (db) => {
  let c: Cluster;
  let kiosk: FakeKiosk;
  let receiver: WebhookReceiver;
  const late = nip(501);
  const early = nip(502);
  const absent = nip(503);
  const onTime = nip(504);

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    c = await Cluster.start({
      db,
      env: { BKD_WEBHOOK_URL: receiver.url, BKD_WEBHOOK_SECRET: SECRET, NOTIFY_DISPATCH_INTERVAL_MS: '200' },
    });
    await c.query((p) =>
      p.unit.createMany({
        data: [
          { id: 'bappeda', name: 'Bappeda' },
          { id: 'disdik', name: 'Dinas Pendidikan' },
        ],
      }),
    );
    await createEmployeeIn(c, late, 'Dewi Lestari', 'bappeda');
    await createEmployeeIn(c, early, 'Eko Saputra', 'bappeda');
    await createEmployeeIn(c, absent, 'Fitri Handayani', 'disdik');
    await createEmployeeIn(c, onTime, 'Gunawan', 'disdik');
    kiosk = await FakeKiosk.connect(c, 'Gerbang kantor bupati');
    await kiosk.status(0);
    await kiosk.statusStored(c, 0);
    for (const [who, times] of [
      [late, ['08:45', '16:30']],
      [early, ['07:20', '15:00']],
      [onTime, ['07:25', '16:05']],
    ] as const) {
      for (const t of times) await kiosk.punch(who, wib(DATE, t));
    }
    await waitDay(c, late, DATE, (d) => d.codes.includes('TL3'));
    await waitDay(c, early, DATE, (d) => d.codes.includes('PSW2'));
    await waitDay(c, onTime, DATE, (d) => d.status === 'Present' && d.departure !== null);
    await recompute(c, { from: DATE, to: DATE, unitId: 'disdik' });
    await waitDay(c, absent, DATE, (d) => d.codes.includes('TK'));
  });
  afterAll(async () => {
    await kiosk?.close();
    await c?.stop();
    await receiver?.close();
  });

  it('lists the day’s late arrivals, early departures and absences by unit, as JSON and CSV', async () => {
    const r = await c.api<LatenessReport>('GET', `/api/reports/lateness?date=${DATE}`);
    expect(r.status).toBe(200);
    expect(r.body.totals).toEqual({ late: 1, earlyLeave: 1, absent: 1, employees: 3 });
    expect(r.body.units.map((u) => u.unitId)).toEqual(['bappeda', 'disdik']);
    const [bappeda, disdik] = r.body.units;
    expect(bappeda).toMatchObject({
      unitName: 'Bappeda',
      late: [{ nip: late, name: 'Dewi Lestari', code: 'TL3', minutes: 75, at: '2026-11-04T01:45:00.000Z' }],
      earlyLeave: [{ nip: early, name: 'Eko Saputra', code: 'PSW2', minutes: 60 }],
      absent: [],
    });
    expect(disdik).toMatchObject({
      late: [],
      earlyLeave: [],
      absent: [{ nip: absent, name: 'Fitri Handayani' }],
    });

    const csv = await rawGet(c, `/api/reports/lateness?date=${DATE}&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.type).toMatch(/^text\/csv/);
    expect(csv.text.trim().split('\r\n')).toEqual([
      'date,unit_id,unit_name,nip,name,kind,code,minutes,at,provisional',
      `${DATE},bappeda,Bappeda,${late},Dewi Lestari,Late,TL3,75,2026-11-04T01:45:00.000Z,false`,
      `${DATE},bappeda,Bappeda,${early},Eko Saputra,EarlyLeave,PSW2,60,2026-11-04T08:00:00.000Z,false`,
      `${DATE},disdik,Dinas Pendidikan,${absent},Fitri Handayani,Absent,TK,,,false`,
    ]);

    const index = await c.api<Array<{ name: string }>>('GET', '/api/reports');
    expect(index.body.map((x) => x.name)).toEqual(['lateness']);
    expect((await c.api<Err>('GET', '/api/reports/lateness?date=04-11-2026')).status).toBe(400);
  });

  it('shows a unit’s own people only to that unit’s admin', async () => {
    const token = await loginAs(c, 'opd-disdik', 'OPD_ADMIN', 'disdik');
    const mine = await c.api<LatenessReport>('GET', `/api/reports/lateness?date=${DATE}`, undefined, token);
    expect(mine.status).toBe(200);
    expect(mine.body.units.map((u) => u.unitId)).toEqual(['disdik']);
    expect(mine.body.totals).toEqual({ late: 0, earlyLeave: 0, absent: 1, employees: 1 });
    const other = await c.api<Err>(
      'GET',
      `/api/reports/lateness?date=${DATE}&unitId=bappeda`,
      undefined,
      token,
    );
    expect(other.status).toBe(403);
  });

  it('sends the previous day’s report to BKD once: webhook and inbox', async () => {
    const bkd = await loginAs(c, 'bkd-laporan', 'BKD');
    const database = await openDatabase(c.dbUrl);
    try {
      const dbx = { prisma: database.prisma, provider: database.provider };
      const config = new RulesConfigRepository(dbx);
      let now = Date.parse('2026-11-05T00:00:00Z'); // 07:00 WIB on Thursday: reports Wednesday
      const service = new LatenessReportService({
        reports: new ReportRepository(dbx),
        context: new RulesContextService(new CalendarRepository(dbx), config, logger('test')),
        config,
        notifications: new NotificationRepository(dbx),
        log: logger('test-reports'),
        now: () => now,
      });
      expect(await service.sendDaily()).toEqual({
        status: 'Success',
        sent: [`Asia/Jakarta ${DATE}`],
        skipped: [],
      });
      expect(await service.sendDaily()).toEqual({
        status: 'Skipped',
        reason: `Asia/Jakarta ${DATE}: already sent`,
      });
      now = Date.parse('2026-11-09T00:00:00Z'); // Monday morning: Sunday was no working day
      expect(await service.sendDaily()).toEqual({
        status: 'Skipped',
        reason: 'Asia/Jakarta 2026-11-08: no working day',
      });
    } finally {
      await database.close();
    }

    // (The server's own daily job could report another date meanwhile: only DATE's deliveries count.)
    const ours = () => receiver.delivered.filter((r) => r.body.includes(`"date":"${DATE}"`));
    expect(await until(async () => ours().length >= 1, 20_000, 100)).toBe(true);
    expect(ours()).toHaveLength(1);
    const got = ours()[0];
    expect(got && receiver.validSignature(got, SECRET)).toBe(true);
    expect(got?.event).toBe('LatenessReport');
    const body = JSON.parse(got?.body ?? '{}') as LatenessReport & { type: string; zone: string };
    expect(body).toMatchObject({
      type: 'LatenessReport',
      zone: 'Asia/Jakarta',
      date: DATE,
      totals: { late: 1, earlyLeave: 1, absent: 1, employees: 3 },
    });
    expect(body.units.flatMap((u) => u.late.map((l) => l.nip))).toEqual([late]);

    const inbox = await c.api<Array<{ kind: string; payload: { date: string; totals: object } }>>(
      'GET',
      '/api/notifications',
      undefined,
      bkd,
    );
    expect(inbox.body.filter((n) => n.payload.date === DATE).map((n) => n.kind)).toEqual(['LatenessReport']);
  });
});
