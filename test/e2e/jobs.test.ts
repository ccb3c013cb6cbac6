/**
 * Periodic jobs under a lease in the database, with real databases (a SQLite file shared by two
 * connections; PostgreSQL when PG_TEST_URL is set): two job runners, each with its own Prisma
 * client as two backend instances have, run each period once; when the holder dies the other
 * takes the period over once its lease has expired. The webhook dispatcher's claim keeps two
 * dispatchers from sending the same attempt, and a receiver that is down gets the notification
 * later, once. The clock is injected; nothing here waits for it. Last, the jobs API of a real
 * server.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../backend/db/database.ts';
import type { CronPort } from '../../backend/jobs/cron.repository.ts';
import { JobLeaseRepository } from '../../backend/jobs/job-lease.repository.ts';
import type { JobOutcome } from '../../backend/jobs/job-outcome.ts';
import { type JobDefinition, JobRunner } from '../../backend/jobs/job-runner.service.ts';
import { NotificationRepository } from '../../backend/notifications/notification.repository.ts';
import { NotificationDispatcher } from '../../backend/notifications/notification-dispatcher.service.ts';
import { latenessNotifications } from '../../backend/notifications/notification-plan.ts';
import { WebhookSender } from '../../backend/notifications/webhook.sender.ts';
import { logger } from '../../lib/logger.ts';
import { Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { until } from '../support/mqtt.ts';
import { freshDatabase, WebhookReceiver } from './jobs-support.ts';
import { type Err, loginAs } from './rules-support.ts';

const TTL = 600_000;
const SECRET = 'bkd-webhook-secret-for-tests';

/** The runner's cron port is not used by tick/recoverOrphans; any call is a test bug. */
const noCron: CronPort = {
  schedule: () => {
    throw new Error('cron not expected');
  },
  nextRun: () => null,
  stopAll: () => undefined,
};

const success = (x: Record<string, unknown> = {}): JobOutcome => ({ status: 'Success', ...x });

describeEachDb('job leases and webhook dispatch on %s', (kind) => {
  let url: string;
  let dbA: Database;
  let dbB: Database;
  let t = Date.parse('2026-12-01T00:00:00Z');
  const now = () => t;
  const log = logger('test-jobs');
  const runner = (db: Database, id: string) =>
    new JobRunner({ leases: new JobLeaseRepository(db), cron: noCron, instanceId: id, ttlMs: TTL, log, now });
  const job = (name: string, run: JobDefinition['run']): JobDefinition => ({
    name,
    description: name,
    schedule: { cron: '*/15 * * * *', timeZone: 'Asia/Jakarta' },
    run,
  });

  beforeAll(async () => {
    url = await freshDatabase(kind);
    dbA = await openDatabase(url);
    dbB = await openDatabase(url);
  });
  afterAll(async () => {
    await dbA?.close();
    await dbB?.close();
  });

  it('runs each period once across two instances', async () => {
    const runs: string[] = [];
    const count = job('count', async (period) => {
      runs.push(period);
      await new Promise((r) => setTimeout(r, 20));
      return success();
    });
    const a = runner(dbA, 'a');
    const b = runner(dbB, 'b');
    a.register(count);
    b.register(count);
    const periods = ['2026-12-01T00:00', '2026-12-01T00:15', '2026-12-01T00:30', '2026-12-01T00:45'];
    for (const p of periods) {
      const both = await Promise.all([a.tick('count', p), b.tick('count', p)]);
      expect(both.filter((r) => r.ran)).toHaveLength(1);
      // A tick that comes late (a slower instance) finds the period done.
      expect((await a.tick('count', p)).ran).toBe(false);
      expect((await b.tick('count', p)).ran).toBe(false);
      t += 15 * 60_000;
    }
    expect(runs).toEqual(periods);
    const [status] = await a.status();
    expect(status).toMatchObject({ name: 'count', runs: 4, running: false, lastPeriod: periods[3] });
    expect(status?.lastOutcome).toEqual({ status: 'Success' });
  });

  it('lets another instance take a period over when its holder dies, and only after the lease expired', async () => {
    let release: () => void = () => undefined;
    const hung = new Promise<void>((r) => {
      release = r;
    });
    const a = runner(dbA, 'a');
    const b = runner(dbB, 'b');
    a.register(
      job('report', async () => {
        await hung; // the instance stops here: a crash, a long GC pause, a network partition
        return success({ by: 'a' });
      }),
    );
    const byB: string[] = [];
    b.register(
      job('report', (period) => {
        byB.push(period);
        return Promise.resolve(success({ by: 'b' }));
      }),
    );
    const period = '2026-12-02T00:00';
    const ranA = a.tick('report', period);
    expect(await until(async () => (await b.status())[0]?.running === true, 10_000, 20)).toBe(true);
    expect((await b.status())[0]?.holder).toBe(a.holder);

    // Lease still valid: neither the tick nor the orphan check runs it on b.
    expect((await b.tick('report', period)).ran).toBe(false);
    expect(await b.recoverOrphans()).toEqual([]);
    t += TTL - 1;
    expect(await b.recoverOrphans()).toEqual([]);

    // Expired without a renewal: b runs the period, once.
    t += 2;
    const taken = await b.recoverOrphans();
    expect(taken).toEqual([{ ran: true, outcome: { status: 'Success', by: 'b' } }]);
    expect(byB).toEqual([period]);
    expect(await b.recoverOrphans()).toEqual([]);
    expect((await b.tick('report', period)).ran).toBe(false);

    // a comes back and finishes: it no longer holds the lease, so b's record stands.
    release();
    expect((await ranA).ran).toBe(true);
    const [status] = await a.status();
    expect(status).toMatchObject({ holder: b.holder, runs: 1, lastPeriod: period, running: false });
    expect(status?.lastOutcome).toEqual({ status: 'Success', by: 'b' });

    // And the next period is a normal one again.
    t += 60_000;
    expect((await a.tick('report', '2026-12-03T00:00')).ran).toBe(true);
    expect((await b.tick('report', '2026-12-03T00:00')).ran).toBe(false);
  });

  it('retries a failed period after its retry time, on any instance, once it succeeds never again', async () => {
    const a = runner(dbA, 'a');
    const b = runner(dbB, 'b');
    const ranBy: string[] = [];
    a.register(
      job('close', (period) => {
        ranBy.push(`a ${period}`);
        return Promise.reject(new Error('database away'));
      }),
    );
    b.register(
      job('close', (period) => {
        ranBy.push(`b ${period}`);
        return Promise.resolve(success({ by: 'b' }));
      }),
    );
    const period = '2026-12-04T00:00';
    expect(await a.tick('close', period)).toMatchObject({ ran: true, outcome: { status: 'Failed' } });
    expect((await b.status())[0]).toMatchObject({ running: false, lastOutcome: { status: 'Failed' } });
    // Not before its retry time (10 minutes by default) ...
    t += 9 * 60_000;
    expect(await b.recoverOrphans()).toEqual([]);
    // ... then once, wherever the check runs first.
    t += 60_000;
    expect(await b.recoverOrphans()).toEqual([{ ran: true, outcome: { status: 'Success', by: 'b' } }]);
    expect(await a.recoverOrphans()).toEqual([]);
    expect((await a.tick('close', period)).ran).toBe(false);
    expect(ranBy).toEqual([`a ${period}`, `b ${period}`]);
  });

  it('renews the lease of a job that runs long, so nobody takes it over', async () => {
    const ttlMs = 900; // renewed every 300 ms of real time, against the injected clock
    const mk = (db: Database, id: string) =>
      new JobRunner({ leases: new JobLeaseRepository(db), cron: noCron, instanceId: id, ttlMs, log, now });
    let release: () => void = () => undefined;
    const busy = new Promise<void>((r) => {
      release = r;
    });
    const a = mk(dbA, 'a');
    const b = mk(dbB, 'b');
    a.register(job('long', () => busy.then(() => success())));
    const byB: string[] = [];
    b.register(
      job('long', (p) => {
        byB.push(p);
        return Promise.resolve(success());
      }),
    );
    const started = t;
    const ranA = a.tick('long', 'long-1');
    const expiry = async () =>
      (await dbB.prisma.jobLease.findUnique({ where: { name: 'long' } }))?.expiresAt.getTime() ?? 0;
    expect(await until(async () => (await expiry()) === started + ttlMs, 10_000, 20)).toBe(true);
    t += 600;
    expect(await until(async () => (await expiry()) >= started + 600 + ttlMs, 10_000, 20)).toBe(true);
    t += 600; // past the first expiry, inside the renewed one
    expect(await b.recoverOrphans()).toEqual([]);
    expect((await b.tick('long', 'long-1')).ran).toBe(false);
    release();
    expect(await ranA).toEqual({ ran: true, outcome: { status: 'Success' } });
    expect(byB).toEqual([]);
  });

  it('delivers a webhook once, to a receiver that was down, with a valid signature', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const repoA = new NotificationRepository(dbA);
      const repoB = new NotificationRepository(dbB);
      const report = {
        zone: 'Asia/Jakarta',
        date: '2026-11-30',
        totals: { late: 1, earlyLeave: 0, absent: 0, employees: 1 },
        units: [{ unitId: 'u1', late: [{ nip: '1' }] }],
      };
      const rows = latenessNotifications(report, [], new Date(t));
      expect(await repoA.enqueueOnce(rows)).toBe(true);
      expect(await repoB.enqueueOnce(latenessNotifications(report, [], new Date(t)))).toBe(false);
      const sender = new WebhookSender({ url: receiver.url, secret: SECRET, timeoutMs: 5000 });
      const opts = { webhook: sender, retryBaseMs: 30_000, retryMaxMs: 600_000, inflightMs: 60_000, now };
      const d1 = new NotificationDispatcher(repoA, { ...opts, log: logger('d1') });
      const d2 = new NotificationDispatcher(repoB, { ...opts, log: logger('d2') });

      receiver.down = true;
      await Promise.all([d1.dispatchDue(), d2.dispatchDue()]);
      expect(receiver.requests).toHaveLength(1); // claimed by one dispatcher only
      let [row] = await repoA.webhookRows({ take: 10 });
      expect(row).toMatchObject({ state: 'Pending', attempts: 1, lastError: 'HTTP 503' });
      expect(row?.nextAttemptAt.getTime()).toBe(t + 30_000);

      // Not due yet: nothing is sent, even though the receiver is back.
      receiver.down = false;
      t += 29_999;
      expect(await d1.dispatchDue()).toEqual({ status: 'Skipped', reason: 'nothing due' });
      expect(receiver.requests).toHaveLength(1);

      t += 1;
      await Promise.all([d1.dispatchDue(), d2.dispatchDue()]);
      t += 3_600_000;
      await Promise.all([d1.dispatchDue(), d2.dispatchDue()]);
      expect(receiver.delivered).toHaveLength(1);
      expect(receiver.requests).toHaveLength(2);
      [row] = await repoA.webhookRows({ take: 10 });
      expect(row).toMatchObject({ state: 'Delivered', attempts: 2, lastError: null });
      const got = receiver.delivered[0];
      expect(got && receiver.validSignature(got, SECRET)).toBe(true);
      expect(got && receiver.validSignature(got, 'another-secret-of-16+')).toBe(false);
      // The same idempotency key on every attempt: the row's id.
      expect(receiver.requests.map((r) => r.idempotencyKey)).toEqual([row?.id, row?.id]);
      expect(JSON.parse(got?.body ?? '{}')).toMatchObject({ type: 'LatenessReport', date: '2026-11-30' });
    } finally {
      await receiver.close();
    }
  });
});

describeEachDb('the jobs API on %s', (db) => {
  let c: Cluster;
  beforeAll(async () => {
    c = await Cluster.start({ db });
  });
  afterAll(async () => {
    await c?.stop();
  });

  type Status = { name: string; runs: number; lastOutcome: JobOutcome | null; nextRunAt: string | null };

  it('lists the jobs with their last outcome, runs one on demand, and is for BKD', async () => {
    const list = async () => (await c.api<Status[]>('GET', '/api/jobs')).body;
    expect((await list()).map((j) => j.name)).toEqual([
      'day-close',
      'lateness-report',
      'month-close',
      'notification-dispatch',
    ]);
    // 02:00 on the 1st, Jakarta time.
    const next = new Date((await list()).find((j) => j.name === 'month-close')?.nextRunAt ?? 0);
    expect(next.toLocaleString('en-GB', { timeZone: 'Asia/Jakarta' })).toMatch(/^01\/\d\d\/\d{4}, 02:00:00$/);
    // The day close runs once soon after the start.
    expect(
      await until(async () => ((await list()).find((j) => j.name === 'day-close')?.runs ?? 0) >= 1, 30_000),
    ).toBe(true);
    const before = (await list()).find((j) => j.name === 'day-close')?.runs ?? 0;
    const run = await c.api<{ name: string; outcome: JobOutcome }>('POST', '/api/jobs/day-close/run');
    expect(run.status).toBe(200);
    expect(run.body.outcome).toMatchObject({ status: 'Success', marked: expect.any(Number) });
    const after = (await list()).find((j) => j.name === 'day-close');
    expect(after?.runs).toBe(before + 1);
    expect(after?.lastOutcome).toEqual(run.body.outcome);

    const month = await c.api<{ outcome: JobOutcome }>('POST', '/api/jobs/month-close/run');
    expect(month.status).toBe(200);
    expect(month.body.outcome).toMatchObject({
      status: 'Success',
      month: expect.stringMatching(/^\d{4}-\d{2}$/),
    });

    expect((await c.api<Err>('POST', '/api/jobs/no-such-job/run')).status).toBe(404);
    const opd = await loginAs(c, 'opd-jobs', 'OPD_ADMIN', 'default');
    expect((await c.api<Err>('GET', '/api/jobs', undefined, opd)).status).toBe(403);
    expect((await c.api<Err>('POST', '/api/jobs/day-close/run', undefined, opd)).status).toBe(403);
  });
});
