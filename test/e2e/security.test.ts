/** Authentication and the per-terminal ACL, with real MQTT clients against the real broker. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { topics } from '../../protocol/index.ts';
import { Cluster, type TerminalCreds } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { connect, end, publish, sleep, until } from '../support/mqtt.ts';
import { goodEvent, nip } from '../support/punches.ts';

const run = promisify(execFile);

describeEachDb('MQTT security on %s', (db) => {
  let c: Cluster;
  let a: TerminalCreds;
  let b: TerminalCreds;
  beforeAll(async () => {
    c = await Cluster.start({ db });
    a = await c.registerTerminal('A');
    b = await c.registerTerminal('B');
  });
  afterAll(async () => {
    await c.stop();
  });

  it('refuses a wrong password, an unknown terminal and a client without credentials', async () => {
    await expect(
      connect(c.mqttUrl, { clientId: a.id, username: a.id, password: `${a.password}x` }),
    ).rejects.toThrow(/Bad username or password/i);
    await expect(
      connect(c.mqttUrl, { clientId: 'knope', username: 'knope', password: a.password }),
    ).rejects.toThrow(/Bad username or password/i);
    await expect(connect(c.mqttUrl, { clientId: 'anon' })).rejects.toThrow(/Not authorized/i);
    // Another terminal's client id with valid credentials would hijack its session: refused.
    await expect(
      connect(c.mqttUrl, { clientId: b.id, username: a.id, password: a.password }),
    ).rejects.toThrow(/Not authorized/i);
  });

  it('terminal A cannot publish as B, and cannot read B’s acks', async () => {
    const bClient = await connect(c.mqttUrl, { clientId: b.id, username: b.id, password: b.password });
    const aClient = await connect(c.mqttUrl, { clientId: a.id, username: a.id, password: a.password });
    const subscribe = (filter: string) =>
      new Promise<string>((resolve) =>
        aClient.subscribe(filter, { qos: 1 }, (err, g) =>
          resolve(err ? `refused: ${err.message}` : `granted ${g?.[0]?.qos}`),
        ),
      );
    expect(await subscribe(topics.ack(b.id))).toMatch(/^refused/);
    expect(await subscribe('att/v1/#')).toMatch(/^refused/);
    expect(await subscribe(topics.ack(a.id))).toBe('granted 1');
    const seenByA: string[] = [];
    aClient.on('message', (topic) => seenByA.push(topic));
    const bAcks: string[] = [];
    bClient.on('message', (topic) => bAcks.push(topic));
    await new Promise((r) => bClient.subscribe(topics.ack(b.id), { qos: 1 }, r));

    // B's genuine punch is acked to B only.
    const ev = goodEvent(1, nip(1));
    await publish(bClient, topics.event(b.id), JSON.stringify(ev));
    expect(await until(async () => bAcks.length > 0, 10_000)).toBe(true);

    // A forging a punch on B's topic is refused and disconnected; nothing stored.
    const forged = goodEvent(2, nip(1));
    const closed = new Promise<void>((r) => aClient.once('close', () => r()));
    aClient.publish(topics.event(b.id), JSON.stringify(forged), { qos: 1 });
    await closed;
    await sleep(500);
    const rows = await c.query((p) =>
      p.attendanceEvent.findMany({ where: { id: { in: [ev.id, forged.id] } } }),
    );
    expect(rows.map((r) => [r.id, r.terminalId])).toEqual([[ev.id, b.id]]);
    expect(seenByA.filter((t) => t !== topics.ack(a.id))).toEqual([]);
    aClient.end(true);
    await end(bClient);
  });

  it('an unauthenticated client gets nothing', async () => {
    const got = await new Promise<string>((resolve) => {
      import('mqtt').then(({ default: mqtt }) => {
        const anon = mqtt.connect(c.mqttUrl, { reconnectPeriod: 0, clientId: 'anon2' });
        anon.on('connect', () => resolve('connected'));
        anon.on('message', () => resolve('message'));
        anon.on('error', (e) => resolve(`error: ${e.message}`));
      }, resolve);
    });
    expect(got).toMatch(/^error: .*Not authorized/i);
  });

  it('a real outside client (mosquitto_pub) can publish a punch with a terminal’s credentials', async () => {
    const ev = goodEvent(1, nip(3));
    await run('mosquitto_pub', [
      '-h',
      '127.0.0.1',
      '-p',
      String(c.mqttPort),
      '-i',
      a.id,
      '-u',
      a.id,
      '-P',
      a.password,
      '-q',
      '1',
      '-t',
      topics.event(a.id),
      '-m',
      JSON.stringify(ev),
    ]);
    expect(
      await until(
        async () => (await c.query((p) => p.attendanceEvent.count({ where: { id: ev.id } }))) === 1,
        10_000,
      ),
    ).toBe(true);
    // And a wrong password is refused by the same tool.
    await expect(
      run('mosquitto_pub', [
        '-h',
        '127.0.0.1',
        '-p',
        String(c.mqttPort),
        '-i',
        a.id,
        '-u',
        a.id,
        '-P',
        'nope',
        '-t',
        topics.event(a.id),
        '-m',
        '{}',
      ]),
    ).rejects.toThrow();
  });
});
