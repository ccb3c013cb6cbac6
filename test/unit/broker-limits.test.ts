/**
 * The broker's limits on one connection (issue #12, finding 2), on a real aedes in this process
 * listening on loopback: a packet announcing more than MQTT_MAX_PACKET_BYTES closes the connection
 * as soon as its fixed header is read (before authentication for a CONNECT), a kiosk's oversized
 * publish is recorded as TOO_LARGE, a silent connection is closed after the connect timeout, and
 * connections waiting to authenticate are bounded.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Broker, createBroker } from '../../broker/broker.ts';
import { hashSecret } from '../../broker/credentials.ts';
import { limitPacketSize, type MqttLimits } from '../../broker/packet-limit.ts';
import type { Rejection } from '../../broker/ports.ts';
import { type Listener, listenMqtt } from '../../broker/server.ts';
import { logger } from '../../lib/logger.ts';
import { topics } from '../../protocol/index.ts';
import { connect, end, publish, sleep } from '../support/mqtt.ts';
import { floodConnect, silentConnection } from '../support/mqtt-flood.ts';

const TERMINAL = { id: 'k1', siteId: 's1', secret: 'kiosk-secret-0123456789' };
const SERVICE_SECRET = 'service-secret-0123456789';

type Running = { broker: Broker; listener: Listener; rejections: Rejection[]; url: string };
let running: Running | undefined;

async function start(limits: Partial<MqttLimits>): Promise<Running> {
  const log = logger('broker-test');
  log.level = 'silent';
  const rejections: Rejection[] = [];
  const broker = await createBroker({
    directory: {
      findTerminal: async (id) =>
        id === TERMINAL.id
          ? { id, siteId: TERMINAL.siteId, secretHash: hashSecret(TERMINAL.secret), active: true }
          : null,
    },
    serviceSecret: SERVICE_SECRET,
    rejections: { record: (r) => rejections.push(r) },
    log,
    limits: { maxPacketBytes: 64 * 1024, connectTimeoutMs: 30_000, maxPendingConnections: 256, ...limits },
  });
  const listener = await listenMqtt(broker.handle, 0, '127.0.0.1');
  running = { broker, listener, rejections, url: `mqtt://127.0.0.1:${listener.port}` };
  return running;
}

afterEach(async () => {
  if (!running) return;
  const { broker, listener } = running;
  running = undefined;
  const closed = listener.close();
  await new Promise<void>((r) => broker.aedes.close(() => r()));
  await closed;
});

const kiosk = (url: string) =>
  connect(url, { clientId: TERMINAL.id, username: TERMINAL.id, password: TERMINAL.secret });

describe('MQTT limits per connection', { timeout: 20_000 }, () => {
  it('closes a connection whose CONNECT announces 250 MB as soon as the header is read', async () => {
    const b = await start({});
    // Four at once, each streaming for up to 5 s: each must be closed by the broker long before.
    const floods = await Promise.all([1, 2, 3, 4].map(() => floodConnect(b.listener.port, 250e6, 5000)));
    for (const f of floods) expect(f).toMatchObject({ closedByServer: true });
    console.log(
      `250 MB CONNECT: closed after ${floods.map((f) => `${f.ms} ms / ${(f.written / 1e6).toFixed(1)} MB sent`).join(', ')}`,
    );
    // Anonymous: nothing recorded (a flood must not fill the table), and kiosks still get in.
    expect(b.rejections).toEqual([]);
    const c = await kiosk(b.url);
    await end(c);
  });

  it('closes a kiosk sending a packet over the limit and records it as TOO_LARGE', async () => {
    const b = await start({ maxPacketBytes: 32 * 1024 });
    const c = await kiosk(b.url);
    // A 16 KB status (a kiosk's largest legitimate message) passes...
    await publish(
      c,
      topics.status(TERMINAL.id),
      JSON.stringify({ v: 1, state: 'online', pad: 'x'.repeat(16_000) }),
    );
    expect(c.connected).toBe(true);
    // ...a 40 KB one closes the connection.
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish(topics.status(TERMINAL.id), 'x'.repeat(40_000), { qos: 1 });
    await closed;
    c.end(true);
    expect(b.rejections).toEqual([
      expect.objectContaining({
        source: 'broker',
        code: 'TOO_LARGE',
        terminalId: TERMINAL.id,
        clientId: TERMINAL.id,
        reason: expect.stringMatching(/publish packet of 400\d\d bytes, limit 32768/),
      }),
    ]);
  });

  it('lets the backend service send packets larger than a kiosk may', async () => {
    const b = await start({ maxPacketBytes: 8 * 1024 });
    const svc = await connect(b.url, {
      clientId: 'svc.backend.test',
      username: 'svc.backend',
      password: SERVICE_SECRET,
    });
    await publish(svc, topics.config(TERMINAL.id), 'x'.repeat(100_000));
    expect(svc.connected).toBe(true);
    await end(svc);
    expect(b.rejections).toEqual([]);
  });

  it('closes a connection that sends no CONNECT within the connect timeout', async () => {
    const b = await start({ connectTimeoutMs: 300 });
    const s = await silentConnection(b.listener.port);
    const ms = await Promise.race([s.closed, sleep(5000).then(() => -1)]);
    s.end();
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(5000);
  });

  it('refuses connections beyond the pending limit until one has authenticated or left', async () => {
    const b = await start({ maxPendingConnections: 3 });
    const waiting = await Promise.all([1, 2, 3].map(() => silentConnection(b.listener.port)));
    const extra = await silentConnection(b.listener.port);
    expect(await Promise.race([extra.closed.then(() => 'closed'), sleep(2000).then(() => 'open')])).toBe(
      'closed',
    );
    waiting[0]?.end();
    await waiting[0]?.closed;
    await sleep(50);
    const c = await kiosk(b.url);
    // Authenticated: no longer pending, so the slot is free for the next one.
    const next = await silentConnection(b.listener.port);
    expect(await Promise.race([next.closed.then(() => 'closed'), sleep(500).then(() => 'open')])).toBe(
      'open',
    );
    for (const s of [...waiting, next]) s.end();
    await end(c);
  });

  it('fails closed when the parser is not the one it knows how to limit', () => {
    let destroyed = false;
    const client = { conn: { destroy: () => (destroyed = true) } } as unknown as Parameters<
      typeof limitPacketSize
    >[0];
    expect(
      limitPacketSize(
        client,
        () => 1024,
        () => undefined,
      ),
    ).toBe(false);
    expect(destroyed).toBe(true);
  });
});
