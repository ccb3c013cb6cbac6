/**
 * Discipline notifications end to end through the real server and database: a light case (3 TK
 * days) reaches the direct superior's inbox only; a medium one (11 TK days) reaches BKD too, in
 * BKD users' inboxes and on a real webhook receiver on loopback that is down at first: the
 * delivery is retried and lands once, signed. A user of another unit sees none of it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { until } from '../support/mqtt.ts';
import { nip } from '../support/punches.ts';
import { WebhookReceiver } from './jobs-support.ts';
import { createEmployeeIn, type Err, loginAs, recompute } from './rules-support.ts';

const SECRET = 'bkd-webhook-secret-e2e-0123';

type Inbox = Array<{
  id: string;
  kind: string;
  title: string;
  unitId: string | null;
  readAt: string | null;
  payload: {
    type: string;
    caseId: string;
    threshold: string;
    level: string;
    employeeId: string;
    year: number;
  };
}>;
type Case = { id: string; threshold: string; level: string };
type WebhookRow = { id: string; kind: string; state: string; attempts: number; lastError: string | null };

describeEachDb('discipline notifications on %s', (db) => {
  let c: Cluster;
  let receiver: WebhookReceiver;
  const head = nip(401);
  const worker = nip(402);
  let headToken = '';
  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    receiver.down = true;
    c = await Cluster.start({
      db,
      env: {
        BKD_WEBHOOK_URL: receiver.url,
        BKD_WEBHOOK_SECRET: SECRET,
        NOTIFY_DISPATCH_INTERVAL_MS: '200',
        NOTIFY_RETRY_BASE_MS: '300',
        NOTIFY_RETRY_MAX_MS: '600',
      },
    });
    await c.query((p) =>
      p.unit.createMany({
        data: [
          { id: 'dinkes', name: 'Dinas Kesehatan' },
          { id: 'dishub', name: 'Dinas Perhubungan' },
        ],
      }),
    );
    await createEmployeeIn(c, head, 'Kepala Bidang', 'dinkes');
    await createEmployeeIn(c, worker, 'Budi Santoso', 'dinkes');
    const set = await c.api('PATCH', `/api/employees/${worker}/attendance`, { superiorNip: head });
    expect(set.status).toBe(200);
  });
  afterAll(async () => {
    await c?.stop();
    await receiver?.close();
  });

  it('tells the superior of a light case, and BKD too of a medium one, once, over a webhook that was down', async () => {
    // The superior's own account (username = NIP), a BKD officer, another unit's supervisor.
    headToken = await loginAs(c, head, 'OPD_ADMIN', 'dinkes');
    const bkdToken = await loginAs(c, 'bkd-officer', 'BKD');
    const otherToken = await loginAs(c, 'spv-dishub', 'SUPERVISOR', 'dishub');
    // The server's day close makes the last days of this year TK too (cases of their own): 2025 only here.
    const inbox = async (token: string, q = '') => {
      const r = await c.api<Inbox>('GET', `/api/notifications${q}`, undefined, token);
      expect(r.status).toBe(200);
      return r.body.filter((n) => n.payload.year === 2025);
    };
    const casesOf2025 = async () =>
      (await c.api<Case[]>('GET', `/api/discipline?employeeId=${worker}&state=All&year=2025`)).body;

    // 2025, out of reach of the server's day close. Three TK days: a light case (verbal warning).
    await recompute(c, { from: '2025-11-03', to: '2025-11-05', employeeId: worker });
    const light = await casesOf2025();
    expect(light.map((x) => x.threshold)).toEqual(['Cumulative:3']);
    expect((await inbox(headToken)).map((n) => [n.kind, n.payload.caseId])).toEqual([
      ['DisciplineCase', light[0]?.id],
    ]);
    expect(await inbox(bkdToken)).toEqual([]);

    // Eleven TK days, the runs broken by leave (no 10-day run): a medium case, for BKD too.
    for (const day of ['2025-11-06', '2025-11-14']) {
      const leave = await c.api<{ id: string }>('POST', '/api/leave', {
        employeeId: worker,
        kind: 'AnnualLeave',
        from: day,
        to: day,
      });
      expect(leave.status).toBe(201);
      await c.api('POST', `/api/leave/${leave.body.id}/decision`, { approval: 'Approved' });
    }
    await recompute(c, { from: '2025-11-06', to: '2025-11-19', employeeId: worker });
    const cases = await casesOf2025();
    // The same case, escalated (issue #11 point 7): no second case piles up.
    expect(cases.map((x) => x.id)).toEqual([light[0]?.id]);
    const forBkd = cases.filter((x) => x.level !== 'Light');
    expect(forBkd.map((x) => [x.threshold, x.level])).toEqual([['Cumulative:11', 'Medium']]);
    const medium = forBkd[0] as Case;

    // The receiver is down: the webhook is tried, fails, and is tried again later.
    const attemptsFor = (caseId: string) => receiver.requests.filter((r) => r.body.includes(caseId));
    expect(await until(async () => attemptsFor(medium.id).length >= 2, 20_000, 100)).toBe(true);
    const pending = (await c.api<WebhookRow[]>('GET', '/api/notifications/webhook', undefined, bkdToken))
      .body;
    expect(pending).toHaveLength(1);
    expect(pending[0]).toMatchObject({ kind: 'DisciplineCase', state: 'Pending', lastError: 'HTTP 503' });

    receiver.down = false;
    const delivered = async () =>
      (await c.api<WebhookRow[]>('GET', '/api/notifications/webhook?state=Delivered')).body.length === 1;
    expect(await until(delivered, 20_000, 100)).toBe(true);
    // Several more dispatcher runs later, still one delivery.
    const dispatchRuns = async () =>
      (await c.api<Array<{ name: string; runs: number }>>('GET', '/api/jobs')).body.find(
        (j) => j.name === 'notification-dispatch',
      )?.runs ?? 0;
    const runsNow = await dispatchRuns();
    expect(await until(async () => (await dispatchRuns()) >= runsNow + 3, 20_000, 100)).toBe(true);

    expect(receiver.delivered).toHaveLength(1);
    const got = receiver.delivered[0];
    expect(got && receiver.validSignature(got, SECRET)).toBe(true);
    expect(got?.event).toBe('DisciplineCase');
    expect(JSON.parse(got?.body ?? '{}')).toMatchObject({
      type: 'DisciplineCase',
      caseId: medium.id,
      employeeId: worker,
      level: 'Medium',
      threshold: 'Cumulative:11',
      sanction: 'AllowanceCut25For6Months',
      superiorNip: head,
    });
    // Every attempt carried the same idempotency key; no light case went out.
    expect(new Set(attemptsFor(medium.id).map((r) => r.idempotencyKey)).size).toBe(1);
    expect(receiver.requests.every((r) => r.body.includes(medium.id))).toBe(true);

    // Inboxes: the superior has every case; BKD the medium one; the other unit nothing.
    const headInbox = await inbox(headToken);
    expect(new Set(headInbox.map((n) => n.payload.caseId))).toEqual(new Set(cases.map((x) => x.id)));
    expect(headInbox.every((n) => n.unitId === 'dinkes' && n.readAt === null)).toBe(true);
    expect((await inbox(bkdToken)).map((n) => n.payload.caseId)).toEqual([medium.id]);
    expect(await inbox(otherToken)).toEqual([]);

    // Marking read: only one's own.
    const first = headInbox[0]?.id as string;
    expect((await c.api<Err>('POST', `/api/notifications/${first}/read`, undefined, otherToken)).status).toBe(
      404,
    );
    expect((await c.api('POST', `/api/notifications/${first}/read`, undefined, headToken)).status).toBe(200);
    const unread = await inbox(headToken, '?unread=true');
    expect(unread.map((n) => n.id)).not.toContain(first);
    expect(unread).toHaveLength(headInbox.length - 1);
    expect((await c.api<Err>('GET', '/api/notifications/webhook', undefined, otherToken)).status).toBe(403);
  });

  it('reaches a superior whose account sits in the parent unit, and the nearest admin up the tree when a sub-unit has nobody', async () => {
    await c.query((p) =>
      p.unit.create({ data: { id: 'dinkes-p2p', name: 'Bidang P2P', parentId: 'dinkes' } }),
    );
    const withSuperior = nip(403);
    const withNobody = nip(404);
    await createEmployeeIn(c, withSuperior, 'Sari Wulandari', 'dinkes-p2p');
    await createEmployeeIn(c, withNobody, 'Andi Pratama', 'dinkes-p2p');
    const set = await c.api('PATCH', `/api/employees/${withSuperior}/attendance`, { superiorNip: head });
    expect(set.status).toBe(200);
    const caseOf = async (employeeId: string) => {
      await recompute(c, { from: '2025-11-03', to: '2025-11-05', employeeId });
      const r = await c.api<Case[]>('GET', `/api/discipline?employeeId=${employeeId}&state=All&year=2025`);
      expect(r.body.map((x) => x.threshold)).toEqual(['Cumulative:3']);
      return (r.body[0] as Case).id;
    };
    const cases = [await caseOf(withSuperior), await caseOf(withNobody)];
    const r = await c.api<Inbox>('GET', '/api/notifications', undefined, headToken);
    const seen = r.body.filter((n) => n.payload.year === 2025).map((n) => n.payload.caseId);
    expect(seen).toEqual(expect.arrayContaining(cases));
  });
});
