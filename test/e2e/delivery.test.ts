/**
 * The delivery guarantee, end to end, with real processes on loopback:
 * nothing lost, nothing doubled, through broker and backend crashes, kiosk
 * crashes and long offline periods. Runs on SQLite, and on PostgreSQL when
 * PG_TEST_URL names a server (.ci/run starts one).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { SERVICE_USERNAME } from '../../broker/credentials.ts';
import { topics } from '../../protocol/index.ts';
import { Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { connect, end, sleep, until } from '../support/mqtt.ts';
import { readOutbox } from '../support/outbox.ts';
import { nip } from '../support/punches.ts';

async function storedIds(c: Cluster, terminalId: string): Promise<string[]> {
  return c.query(async (p) =>
    (await p.attendanceEvent.findMany({ where: { terminalId }, select: { id: true } })).map((r) => r.id),
  );
}

/** Every punch in the kiosk's outbox is in the database exactly once, and the outbox is drained. */
async function expectExactlyOnce(c: Cluster, terminalId: string, expected: number): Promise<void> {
  const box = readOutbox(c.dir, terminalId);
  expect(box.ids.length).toBe(expected);
  expect(box.pending).toBe(0);
  const stored = await storedIds(c, terminalId);
  expect(stored.length).toBe(expected);
  expect(new Set(stored)).toEqual(new Set(box.ids));
}

describeEachDb('punch delivery on %s', (db) => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('5 kiosks × 1,000 punches: each stored exactly once, every outbox drained', async () => {
    cluster = await Cluster.start({ db });
    const c = cluster;
    await c.createEmployee(nip(1), 'Siti Rahmawati');
    const terms = await Promise.all([1, 2, 3, 4, 5].map((i) => c.registerTerminal(`Gerbang ${i}`)));
    const kiosks = terms.map((t) => c.kiosk(t, { count: 1000, employees: [nip(1), nip(2)] }));
    const codes = await Promise.all(kiosks.map((k) => k.exited));
    expect(codes).toEqual([0, 0, 0, 0, 0]);
    for (const t of terms) await expectExactlyOnce(c, t.id, 1000);
    // nip(2) is not an employee: kept and flagged, not dropped.
    const flagged = await c.query((p) => p.attendanceEvent.count({ where: { unknownEmployee: true } }));
    expect(flagged).toBe(2500);
  });

  it('broker SIGKILLed and restarted mid-stream: nothing lost, nothing doubled', async () => {
    cluster = await Cluster.start({ db, separateBroker: true });
    const c = cluster;
    const t = await c.registerTerminal('Gerbang');
    const k = c.kiosk(t, { count: 3000, employees: [nip(1)], rate: 1000 });
    await until(async () => (await storedIds(c, t.id)).length > 300, 30_000);
    await c.broker?.kill('SIGKILL');
    await sleep(1000);
    await c.startBroker();
    expect(await k.exited).toBe(0);
    await expectExactlyOnce(c, t.id, 3000);
  });

  it('backend SIGKILLed and restarted mid-stream: nothing lost, nothing doubled', async () => {
    cluster = await Cluster.start({ db, separateBroker: true });
    const c = cluster;
    const t = await c.registerTerminal('Gerbang');
    const k = c.kiosk(t, { count: 3000, employees: [nip(1)], rate: 1000 });
    await until(async () => (await storedIds(c, t.id)).length > 300, 30_000);
    await c.backend?.kill('SIGKILL');
    await sleep(1000);
    await c.startBackend();
    expect(await k.exited).toBe(0);
    await expectExactlyOnce(c, t.id, 3000);
  });

  it('kiosk SIGKILLed between writing a punch and publishing it delivers it after restart', async () => {
    cluster = await Cluster.start({ db });
    const c = cluster;
    const t = await c.registerTerminal('Gerbang');
    const crashed = c.kiosk(t, {
      count: 1,
      employees: [nip(1)],
      env: { ATT_FAULT: 'crash-after-outbox-write' },
    });
    expect(await crashed.exited).toBe('SIGKILL');
    const before = readOutbox(c.dir, t.id);
    expect(before.ids.length).toBe(1);
    expect(before.pending).toBe(1);
    expect(await storedIds(c, t.id)).toEqual([]);
    // Restarted with nothing new to punch: it must still deliver the one it had.
    const again = c.kiosk(t, { count: 0, employees: [nip(1)] });
    expect(await again.exited).toBe(0);
    await expectExactlyOnce(c, t.id, 1);
    expect(await storedIds(c, t.id)).toEqual(before.ids);
  });

  it('a kiosk offline for 2,000 punches delivers them all, in seq order, none doubled', async () => {
    cluster = await Cluster.start({ db, separateBroker: true });
    const c = cluster;
    const t = await c.registerTerminal('Gerbang');
    await c.broker?.kill('SIGKILL');
    const k = c.kiosk(t, { count: 2000, employees: [nip(1)] });
    await k.waitFor((l) => l.includes('simulation finished'));
    expect(readOutbox(c.dir, t.id).pending).toBe(2000);
    await c.startBroker();
    // Watch the order in which the broker delivers the kiosk's events.
    const secret = readFileSync(join(c.dir, 'mqtt-service-secret'), 'utf8').trim();
    const spy = await connect(c.mqttUrl, {
      username: SERVICE_USERNAME,
      password: secret,
      clientId: 'svc.spy',
    });
    const seqs: number[] = [];
    spy.on('message', (_t, p) => seqs.push((JSON.parse(p.toString()) as { seq: number }).seq));
    await new Promise((r) => spy.subscribe(topics.event(t.id), { qos: 1 }, r));
    expect(await k.exited).toBe(0);
    await end(spy);
    await expectExactlyOnce(c, t.id, 2000);
    // Each punch's first delivery comes in strictly increasing seq order (a resend after a
    // timeout restarts from the lowest unacked seq, so it only repeats, never reorders).
    // The spy may miss the head if the kiosk reached the broker before it subscribed.
    const seen = new Set<number>();
    const firstDeliveries = seqs.filter((s) => !seen.has(s) && seen.add(s));
    expect(firstDeliveries.length).toBeGreaterThan(1500);
    expect(firstDeliveries.every((s, i) => i === 0 || s > (firstDeliveries[i - 1] as number))).toBe(true);
    expect(firstDeliveries.at(-1)).toBe(2000);
  });
});
