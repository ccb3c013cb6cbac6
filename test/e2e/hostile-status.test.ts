/**
 * Issue #12, finding 3: a kiosk's status (or last will) that is not JSON, or not a status, used to
 * be stored as it came and made GET /api/terminals answer 500 for every admin. It is refused and
 * recorded; the last valid status stays.
 */
import { afterEach, expect, it } from 'vitest';
import { topics } from '../../protocol/index.ts';
import { Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { connect, end, publish, until } from '../support/mqtt.ts';

type Listed = { id: string; online: boolean; lastStatus: { outboxDepth?: number } | null };

describeEachDb('a hostile kiosk status on %s', (db) => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('is refused and recorded, and the terminal list still answers with the last valid status', async () => {
    cluster = await Cluster.start({ db });
    const c = cluster;
    const t = await c.registerTerminal('Gerbang');
    const will = {
      topic: topics.status(t.id),
      payload: Buffer.from('not json at all'),
      qos: 1 as const,
      retain: true,
    };
    const kiosk = await connect(c.mqttUrl, { clientId: t.id, username: t.id, password: t.password, will });
    const status = (depth: number) =>
      JSON.stringify({ v: 1, state: 'online', ts: new Date().toISOString(), outboxDepth: depth });
    await publish(kiosk, topics.status(t.id), status(3));
    const listed = async () =>
      (await c.api<Listed[]>('GET', '/api/terminals')).body.find((x) => x.id === t.id);
    expect(await until(async () => (await listed())?.lastStatus?.outboxDepth === 3, 10_000)).toBe(true);

    await publish(kiosk, topics.status(t.id), '{"v":1,"state":');
    await publish(kiosk, topics.status(t.id), JSON.stringify({ v: 1, state: 'dancing' }));
    // The connection drops without a DISCONNECT: the broker publishes the non-JSON will.
    kiosk.stream.destroy();
    const refused = () =>
      c.query((p) => p.rejectedMessage.findMany({ where: { terminalId: t.id }, orderBy: { id: 'asc' } }));
    expect(await until(async () => (await refused()).length >= 3, 10_000)).toBe(true);
    expect((await refused()).map((r) => r.code)).toEqual(['BAD_JSON', 'SCHEMA', 'BAD_JSON']);

    const r = await c.api<Listed[]>('GET', '/api/terminals');
    expect(r.status).toBe(200);
    expect(r.body.find((x) => x.id === t.id)?.lastStatus?.outboxDepth).toBe(3);
    await end(kiosk).catch(() => undefined);
  });
});
