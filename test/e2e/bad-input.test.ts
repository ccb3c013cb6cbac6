/**
 * 1,000 bad messages interleaved with 1,000 good ones: every good one is
 * stored, every bad one is recorded with its reason, and no process dies.
 */
import { afterEach, expect, it } from 'vitest';
import { topics } from '../../protocol/index.ts';
import { Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { connect, end, publish, until } from '../support/mqtt.ts';
import { goodEvent, nip } from '../support/punches.ts';

describeEachDb('bad input on %s', (db) => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('stores every good message and records every bad one with its reason', async () => {
    cluster = await Cluster.start({ db, separateBroker: true });
    const c = cluster;
    const t = await c.registerTerminal('Gerbang');
    const other = await c.registerTerminal('Gerbang lain');
    const client = await connect(c.mqttUrl, { clientId: t.id, username: t.id, password: t.password });
    const good: string[] = [];
    const bad = { BAD_JSON: 0, SCHEMA: 0, TOO_LARGE: 0, VERSION: 0, ACL: 0 };
    let wrongTopicClient = await connect(c.mqttUrl, {
      clientId: `${t.id}.rogue`,
      username: t.id,
      password: t.password,
    });
    for (let i = 0; i < 1000; i++) {
      const e = goodEvent(i + 1, nip(1));
      good.push(e.id);
      await publish(client, topics.event(t.id), JSON.stringify(e));
      switch (i % 5) {
        case 0:
          await publish(client, topics.event(t.id), `{"v":1,"id":"${e.id}",`);
          bad.BAD_JSON++;
          break;
        case 1:
          await publish(client, topics.event(t.id), JSON.stringify({ ...goodEvent(0), method: 'telepathy' }));
          bad.SCHEMA++;
          break;
        case 2:
          await publish(
            client,
            topics.event(t.id),
            JSON.stringify({ ...goodEvent(i + 1), pad: 'x'.repeat(6000) }),
          );
          bad.TOO_LARGE++;
          break;
        case 3:
          await publish(client, topics.event(t.id), JSON.stringify({ ...goodEvent(i + 1), v: 2 }));
          bad.VERSION++;
          break;
        default: {
          // Another terminal's topic: the broker refuses it and drops that connection.
          const target =
            i % 2 === 0 ? topics.event(other.id) : `${topics.terminalAll(t.id).slice(0, -1)}bogus`;
          wrongTopicClient.publish(target, JSON.stringify(goodEvent(i + 1)), { qos: 1 });
          bad.ACL++;
          await new Promise<void>((r) => wrongTopicClient.once('close', () => r()));
          wrongTopicClient = await connect(c.mqttUrl, {
            clientId: `${t.id}.rogue`,
            username: t.id,
            password: t.password,
          });
        }
      }
    }
    await end(wrongTopicClient);
    const storedIds = () =>
      c.query(async (p) =>
        (await p.attendanceEvent.findMany({ where: { terminalId: t.id }, select: { id: true } })).map(
          (r) => r.id,
        ),
      );
    expect(await until(async () => (await storedIds()).length >= good.length, 30_000)).toBe(true);
    expect(new Set(await storedIds())).toEqual(new Set(good));
    const byCode = async () => {
      const rows = await c.query((p) => p.rejectedMessage.groupBy({ by: ['code'], _count: true }));
      return Object.fromEntries(rows.map((r) => [r.code, r._count]));
    };
    expect(
      await until(async () => Object.values(await byCode()).reduce((a, b) => a + b, 0) >= 1000, 15_000),
    ).toBe(true);
    expect(await byCode()).toEqual(bad);
    // Reasons say what was wrong.
    const samples = await c.query((p) =>
      p.rejectedMessage.findMany({ distinct: ['code'], select: { code: true, reason: true } }),
    );
    const reasons = Object.fromEntries(samples.map((s) => [s.code, s.reason]));
    expect(reasons.BAD_JSON).toMatch(/not JSON/);
    expect(reasons.SCHEMA).toMatch(/method/);
    expect(reasons.TOO_LARGE).toMatch(/limit 4096/);
    expect(reasons.VERSION).toMatch(/unsupported protocol version 2/);
    expect(reasons.ACL).toMatch(/may not publish/);
    // Nothing from the refused topics was stored, and nobody died.
    expect(await c.query((p) => p.attendanceEvent.count({ where: { terminalId: other.id } }))).toBe(0);
    expect(c.broker?.child.exitCode).toBeNull();
    expect(c.backend?.child.exitCode).toBeNull();
    const health = await c.api<{ status: string }>('GET', '/api/health');
    expect(health.body.status).toBe('ok');
    await end(client);
  });
});
