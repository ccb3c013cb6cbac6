/** The REST API against a real server process: contracts, validation, roles, terminal presence. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { topics } from '../../protocol/index.ts';
import { ADMIN_PASSWORD, Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { connect, until } from '../support/mqtt.ts';
import { nip } from '../support/punches.ts';

type Err = { error: { code: string; message: string } };

describeEachDb('REST API on %s', (db) => {
  let c: Cluster;
  beforeAll(async () => {
    c = await Cluster.start({ db });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('reports health of database and broker', async () => {
    const r = await c.api<{ status: string; db: string; broker: string }>(
      'GET',
      '/api/health',
      undefined,
      '',
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok', db: 'ok', broker: 'ok' });
  });

  it('refuses a wrong password and requests without a token', async () => {
    const bad = await c.api<Err>(
      'POST',
      '/api/auth/login',
      { username: 'admin', password: 'wrong-password' },
      '',
    );
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('BAD_CREDENTIALS');
    const anon = await c.api<Err>('GET', '/api/employees', undefined, '');
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('UNAUTHENTICATED');
    const forged = await c.api<Err>('GET', '/api/employees', undefined, 'eyJzdWIiOiJ4In0.bogus');
    expect(forged.status).toBe(401);
  });

  it('validates bodies with clear errors', async () => {
    const broken = await c.api<Err>('POST', '/api/employees', '{"nip": ');
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toMatch(/not valid JSON/);
    const wrong = await c.api<Err>('POST', '/api/employees', { nip: '123', name: '' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'VALIDATION' });
    expect(wrong.body.error.message).toMatch(/nip: NIP must be 18 digits/);
    const unknownField = await c.api<Err>('POST', '/api/terminals', { name: 'x', secret: 'mine' });
    expect(unknownField.status).toBe(400);
    const unknownSite = await c.api<Err>('POST', '/api/terminals', { name: 'x', siteId: 'nowhere' });
    expect(unknownSite.status).toBe(400);
    expect(unknownSite.body.error.message).toMatch(/unknown site nowhere/);
    const none = await c.api<Err>('GET', '/api/nothing-here');
    expect(none.status).toBe(404);
  });

  it('creates employees with defaults and refuses a duplicate NIP', async () => {
    const r = await c.api<{ nip: string; kind: string; unitId: string; active: boolean }>(
      'POST',
      '/api/employees',
      {
        nip: nip(11),
        name: 'Budi Santoso',
      },
    );
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ nip: nip(11), kind: 'PNS', unitId: 'default', active: true });
    const again = await c.api<Err>('POST', '/api/employees', { nip: nip(11), name: 'Budi lagi' });
    expect(again.status).toBe(409);
    const list = await c.api<Array<{ nip: string }>>('GET', '/api/employees');
    expect(list.body.map((e) => e.nip)).toContain(nip(11));
  });

  it('scopes what an OPD admin sees to their own unit', async () => {
    await c.query((p) => p.unit.create({ data: { id: 'dinkes', name: 'Dinas Kesehatan' } }));
    await c.api('POST', '/api/employees', { nip: nip(21), name: 'Pegawai Dinkes', unitId: 'dinkes' });
    const u = await c.api('POST', '/api/users', {
      username: 'opd-dinkes',
      password: 'rahasia-dinkes-1',
      role: 'OPD_ADMIN',
      unitId: 'dinkes',
    });
    expect(u.status).toBe(201);
    const login = await c.api<{ token: string }>(
      'POST',
      '/api/auth/login',
      { username: 'opd-dinkes', password: 'rahasia-dinkes-1' },
      '',
    );
    const tok = login.body.token;
    const seen = await c.api<Array<{ nip: string }>>('GET', '/api/employees', undefined, tok);
    expect(seen.body.map((e) => e.nip)).toEqual([nip(21)]);
    const other = await c.api<Err>('GET', '/api/employees?unitId=default', undefined, tok);
    expect(other.status).toBe(403);
    const outside = await c.api<Err>(
      'POST',
      '/api/employees',
      { nip: nip(22), name: 'X', unitId: 'default' },
      tok,
    );
    expect(outside.status).toBe(403);
    const term = await c.api<Err>('POST', '/api/terminals', { name: 'mine' }, tok);
    expect(term.status).toBe(403);
    const events = await c.api<Err>('GET', `/api/attendance/events?employeeId=${nip(11)}`, undefined, tok);
    expect(events.status).toBe(403);
  });

  it('shows a terminal online from its retained status, and offline from its LWT', async () => {
    const t = await c.registerTerminal('Presence');
    const kiosk = await connect(c.mqttUrl, {
      clientId: t.id,
      username: t.id,
      password: t.password,
      will: {
        topic: topics.status(t.id),
        payload: Buffer.from('{"v":1,"state":"offline"}'),
        qos: 1,
        retain: true,
      },
    });
    kiosk.publish(topics.status(t.id), JSON.stringify({ v: 1, state: 'online', outboxDepth: 3 }), {
      qos: 1,
      retain: true,
    });
    const state = async () => {
      const r = await c.api<
        Array<{ id: string; online: boolean; lastStatus: { outboxDepth?: number } | null }>
      >('GET', '/api/terminals');
      return r.body.find((x) => x.id === t.id);
    };
    expect(await until(async () => (await state())?.online === true, 10_000)).toBe(true);
    expect((await state())?.lastStatus?.outboxDepth).toBe(3);
    // Drop the TCP connection without DISCONNECT, as a power cut would: the broker publishes the LWT.
    kiosk.stream.destroy();
    expect(await until(async () => (await state())?.online === false, 15_000)).toBe(true);
    kiosk.end(true);
  });

  it('pushes a site’s liveness level to its kiosks as config', async () => {
    const t = await c.registerTerminal('Liveness');
    const kiosk = await connect(c.mqttUrl, { clientId: t.id, username: t.id, password: t.password });
    const configs: Array<{ livenessLevel: string; siteId: string }> = [];
    kiosk.on('message', (_topic, p) => configs.push(JSON.parse(p.toString())));
    await new Promise((r) => kiosk.subscribe(topics.config(t.id), { qos: 1 }, r));
    const bad = await c.api<Err>('PATCH', '/api/sites/default', { livenessLevel: 'maybe' });
    expect(bad.status).toBe(400);
    const r = await c.api<{ livenessLevel: string; configSentTo: number }>('PATCH', '/api/sites/default', {
      livenessLevel: 'active',
    });
    expect(r.status).toBe(200);
    expect(r.body.livenessLevel).toBe('active');
    expect(await until(async () => configs.some((x) => x.livenessLevel === 'active'), 10_000)).toBe(true);
    expect(configs.at(-1)).toMatchObject({ siteId: 'default', livenessLevel: 'active' });
    await c.api('PATCH', '/api/sites/default', { livenessLevel: 'off' });
    kiosk.end(true);
  });

  it('serves an OpenAPI document for the fixed entry points', async () => {
    const r = await c.api<{ openapi: string; paths: Record<string, unknown> }>(
      'GET',
      '/api/openapi.json',
      undefined,
      '',
    );
    expect(r.body.openapi).toBe('3.1.0');
    for (const p of [
      '/api/health',
      '/api/auth/login',
      '/api/employees',
      '/api/terminals',
      '/api/attendance/events',
    ]) {
      expect(Object.keys(r.body.paths)).toContain(p);
    }
  });

  it('the admin from ADMIN_PASSWORD can log in', async () => {
    const r = await c.api<{ user: { role: string } }>(
      'POST',
      '/api/auth/login',
      { username: 'admin', password: ADMIN_PASSWORD },
      '',
    );
    expect(r.body.user.role).toBe('SUPERADMIN');
  });

  it('answers a rules (domain) error with its status and code, not a 500', async () => {
    // In service long before: a month before her start has nothing to compute.
    await c.api('POST', '/api/employees', { nip: nip(31), name: 'Sri Wahyuni', startDate: '1980-01-01' });
    // A month before every policy profile: the rules throw DomainError NO_PROFILE_IN_FORCE.
    const r = await c.api<Err>('GET', '/api/allowance?month=1990-01');
    expect(r.body).toMatchObject({ error: { code: 'NO_PROFILE_IN_FORCE' } });
    expect(r.status).toBe(422);
    expect(r.body.error.message).toMatch(/no policy profile in force on 1990-01-01/);
  });
});
