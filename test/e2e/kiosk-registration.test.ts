/**
 * A kiosk takes its broker and backend URLs from its registration: the server on non-default HTTP
 * and MQTT ports, `POST /api/terminals` saved to a file, and the simulated kiosk started with the
 * README's command (`npm run terminal -- --config kiosk.json --simulate …`): its punches are acked.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../support/cluster.ts';
import { runTs } from '../support/proc.ts';
import { nip } from '../support/punches.ts';

type Registered = {
  id: string;
  mqtt: { url: string; password: string };
  kiosk: { id: string; secret: string; mqttUrl: string; apiUrl: string; site: string };
};

describe('a kiosk started from its registration', () => {
  let c: Cluster;

  beforeAll(async () => {
    c = await Cluster.start({ db: 'sqlite' });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('gets the server’s MQTT and HTTP ports from the registration and delivers its punches', async () => {
    expect([c.httpPort, c.mqttPort]).not.toContain(8080);
    expect([c.httpPort, c.mqttPort]).not.toContain(1883);
    await c.createEmployee(nip(7), 'Siti Rahmawati');
    const r = await c.api<Registered>('POST', '/api/terminals', { name: 'Gerbang utama' });
    expect(r.status).toBe(201);
    expect(r.body.kiosk).toEqual({
      id: r.body.id,
      secret: r.body.mqtt.password,
      mqttUrl: `mqtt://127.0.0.1:${c.mqttPort}`,
      apiUrl: `http://127.0.0.1:${c.httpPort}`,
      site: 'default',
    });
    // `curl … > kiosk.json`: the whole answer, as it came.
    const file = join(c.dir, 'kiosk.json');
    writeFileSync(file, JSON.stringify(r.body));

    const k = runTs(
      'terminal/main.ts',
      ['--config', file, '--simulate', '--count', '5', '--employees', nip(7), '--exit-when-drained'],
      { TERMINAL_DATA_DIR: join(c.dir, 'kiosk-data'), LOG_FORMAT: 'json' },
      join(c.dir, 'kiosk.log'),
    );
    expect(await k.exited).toBe(0);
    const started = JSON.parse(k.lines.find((l) => l.includes('"msg":"kiosk started"')) ?? '{}');
    expect(started.mqttUrl).toBe(`mqtt://127.0.0.1:${c.mqttPort}`);
    const stats = JSON.parse(k.lines.find((l) => l.includes('"msg":"drained"')) ?? '{}').stats;
    expect(stats.acked).toBe(5);
    const stored = await c.query((p) => p.attendanceEvent.findMany({ where: { terminalId: r.body.id } }));
    expect(stored.map((e) => e.employeeId)).toEqual(Array(5).fill(nip(7)));
    expect(k.lines.some((l) => l.includes('"msg":"stopped cleanly"'))).toBe(true);
  });

  it('the OpenAPI document describes the registration answer, kiosk file included', async () => {
    const doc = await c.api<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>('GET', '/api/openapi.json');
    const ok = doc.body.paths['/api/terminals']?.post?.responses['201'] as {
      content: { 'application/json': { schema: { properties: Record<string, { properties?: object }> } } };
    };
    const kiosk = ok.content['application/json'].schema.properties.kiosk;
    expect(Object.keys(kiosk?.properties ?? {})).toEqual(['id', 'secret', 'mqttUrl', 'apiUrl', 'site']);
  });
});
