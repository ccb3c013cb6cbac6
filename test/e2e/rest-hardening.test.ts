/**
 * Issue #12, REST findings 5 and 10, through REST against a real backend process: login lockout
 * (counted in the database: it survives a restart), bodies read only after authentication and within
 * per-route limits, security headers, malformed URLs, names with bidi controls, scoped kiosks and
 * superiors, and an honest /api/health.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { nip } from '../support/punches.ts';

type Err = { error: { code: string; message: string } };
type Answer<T> = { status: number; body: T; headers: Headers };

async function call<T = unknown>(
  c: Cluster,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const res = await fetch(`http://127.0.0.1:${c.httpPort}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

/** A login from the client address `ip` (X-Forwarded-For, believed with TRUST_PROXY=loopback). */
const login = (c: Cluster, username: string, password: string, ip: string) =>
  call<{ token: string } & Err>(c, 'POST', '/api/auth/login', {
    body: { username, password },
    headers: { 'x-forwarded-for': ip },
  });

/**
 * Sends only the headers of a request announcing `length` body bytes, never the body: the answer
 * comes at once when the server decides before reading; null when it waits for the body.
 */
function headersOnly(
  port: number,
  path: string,
  length: number,
  token?: string,
): Promise<{ status: number; body: string } | null> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': String(length),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve(null);
    }, 3000);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.flushHeaders();
  });
}

const ENV = { TRUST_PROXY: 'loopback', LOGIN_MAX_FAILURES: '5', LOGIN_MAX_FAILURES_PER_IP: '12' };

describeEachDb('REST hardening on %s', (db) => {
  let c: Cluster;
  let token: string;
  const su = (method: string, path: string, body?: unknown) => call<Err>(c, method, path, { body, token });
  beforeAll(async () => {
    c = await Cluster.start({ db, env: ENV });
    const r = await login(c, 'admin', ADMIN_PASSWORD, '10.9.9.9');
    token = r.body.token;
  });
  afterAll(async () => {
    await c.stop();
  });

  it('locks a username after 5 failed logins (429, Retry-After), the right password too; the same for an unknown name', async () => {
    const made = await call<{ id: string }>(c, 'POST', '/api/users', {
      body: { username: 'locky', password: 'locky-password', role: 'BKD' },
      token,
    });
    expect(made.status).toBe(201);
    for (let i = 0; i < 5; i++) {
      expect((await login(c, 'locky', `wrong-${i}`, `10.0.0.${i + 1}`)).status).toBe(401);
      expect((await login(c, 'ghost-user', `wrong-${i}`, `10.0.1.${i + 1}`)).status).toBe(401);
    }
    const known = await login(c, 'locky', 'locky-password', '10.0.0.99');
    const unknown = await login(c, 'ghost-user', 'whatever-password', '10.0.1.99');
    for (const r of [known, unknown]) {
      expect(r.status).toBe(429);
      expect(r.body.error.code).toBe('TOO_MANY_ATTEMPTS');
      const wait = Number(r.headers.get('retry-after'));
      expect(wait).toBeGreaterThan(800);
      expect(wait).toBeLessThanOrEqual(900);
    }
    // Nothing tells the two apart: same code, same message but for the seconds.
    const shape = (m: string) => m.replace(/\d+/g, 'N');
    expect(shape(known.body.error.message)).toBe(shape(unknown.body.error.message));

    // Counted in the database: a restarted backend (or another instance) still refuses.
    await c.backend?.kill('SIGKILL');
    await c.startBackend();
    expect((await login(c, 'locky', 'locky-password', '10.0.0.98')).status).toBe(429);

    const unlocked = await call<{ unlocked: boolean }>(c, 'POST', `/api/users/${made.body.id}/unlock`, {
      token,
    });
    expect(unlocked.status).toBe(200);
    expect(unlocked.body.unlocked).toBe(true);
    expect((await login(c, 'locky', 'locky-password', '10.0.0.97')).status).toBe(200);

    // The bootstrap admin is no exception; another session of a super admin can unlock it.
    for (let i = 0; i < 5; i++) await login(c, 'admin', 'wrong-password', `10.0.4.${i}`);
    expect((await login(c, 'admin', ADMIN_PASSWORD, '10.0.4.9')).status).toBe(429);
    const me = await call<{ id: string }>(c, 'GET', '/api/auth/me', { token });
    expect((await call(c, 'POST', `/api/users/${me.body.id}/unlock`, { token })).status).toBe(200);
    expect((await login(c, 'admin', ADMIN_PASSWORD, '10.0.4.10')).status).toBe(200);
  });

  it('a success clears the count; failures from one address lock that address for every name', async () => {
    for (let i = 0; i < 4; i++) await login(c, 'locky', 'nope', `10.0.2.${i}`);
    expect((await login(c, 'locky', 'locky-password', '10.0.2.50')).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login(c, 'locky', 'nope', `10.0.3.${i}`)).status).toBe(401);

    for (let i = 0; i < 12; i++) expect((await login(c, `name-${i}`, 'nope', '10.7.7.7')).status).toBe(401);
    expect((await login(c, 'locky', 'locky-password', '10.7.7.7')).status).toBe(429);
    expect((await login(c, 'locky', 'locky-password', '10.7.7.8')).status).toBe(200);
  });

  it('answers before reading the body: no login, a body over the route’s limit (Content-Length)', async () => {
    const port = c.httpPort;
    const anon = await headersOnly(port, `/api/employees/${nip(1)}/faces`, 12_000_000);
    expect(anon?.status).toBe(401);
    const big = await headersOnly(port, `/api/employees/${nip(1)}/faces`, 13 * 1024 * 1024, token);
    expect(big?.status).toBe(413);
    // A small route takes a small body (100 kB), the faces route alone takes photos.
    const small = await headersOnly(port, '/api/units', 500_000, token);
    expect(small?.status).toBe(413);
    const loginBody = await headersOnly(port, '/api/auth/login', 100_000);
    expect(loginBody?.status).toBe(413);
    const real = await su('POST', '/api/units', { name: 'x'.repeat(200_000) });
    expect(real.status).toBe(413);
    expect((await call(c, 'GET', '/api/health')).status).toBe(200);
  });

  it('sets security headers on every answer; HSTS over TLS (a trusted proxy’s X-Forwarded-Proto)', async () => {
    for (const r of [
      await call(c, 'GET', '/api/health'),
      await su('GET', '/api/nothing-here'),
      await su('GET', '/api/units'),
    ]) {
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('strict-transport-security')).toBeNull();
    }
    const tls = await call(c, 'GET', '/api/health', { headers: { 'x-forwarded-proto': 'https' } });
    expect(tls.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
  });

  it('a malformed %-escape and an unknown unit are 400, not 500', async () => {
    const bad = await su('PATCH', '/api/sites/%E0%A4%A', { name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION');
    const unit = await su('POST', '/api/users', {
      username: 'nowhere-user',
      password: 'nowhere-password',
      role: 'OPD_ADMIN',
      unitId: 'no-such-unit',
    });
    expect(unit.status).toBe(400);
    expect(unit.body.error.message).toMatch(/unitId/);
    // A NUL in the URL or in a body string: PostgreSQL cannot store it (found by rest-fuzz.test.ts).
    expect((await su('PATCH', '/api/users/a%00b', { role: 'BKD' })).status).toBe(400);
    expect((await su('GET', '/api/employees?q=a%00')).status).toBe(400);
    const nul = await su('POST', '/api/users/someone/password', { newPassword: 'abcdefghijk\u0000' });
    expect(nul.status).toBe(400);
    expect(nul.body.error.message).toMatch(/NUL/);
  });

  it('refuses names with bidi overrides, control characters or newlines in every name field', async () => {
    const bad = ['Budi\u202Egnp.exe', 'Budi\nSantoso', 'Budi\u0007', 'A\u2066B\u2069', 'x\u200Fy'];
    for (const name of bad) {
      const cases: Array<[string, string, unknown, string]> = [
        ['POST', '/api/employees', { nip: nip(90), name }, 'name'],
        ['POST', '/api/units', { name }, 'name'],
        ['POST', '/api/sites', { name, timeZone: 'WIB' }, 'name'],
        ['POST', '/api/terminals', { name }, 'name'],
        [
          'POST',
          '/api/users',
          { username: 'bidi-user', password: 'bidi-password', role: 'BKD', displayName: name },
          'displayName',
        ],
        ['PATCH', '/api/units/default', { name }, 'name'],
        ['PATCH', '/api/sites/default', { name }, 'name'],
      ];
      for (const [method, path, body, field] of cases) {
        const r = await su(method, path, body);
        expect(r.status, `${method} ${path} ${JSON.stringify(name)}`).toBe(400);
        expect(r.body.error.message).toMatch(new RegExp(`^${field}: .*bidirectional`));
      }
    }
    expect((await su('POST', '/api/employees', { nip: nip(90), name: 'Budi Śantoso’' })).status).toBe(201);
    const patched = await su('PATCH', `/api/employees/${nip(90)}`, { name: 'Budi\u202E' });
    expect(patched.status).toBe(400);
  });

  it('an OPD admin sees only the kiosks of their people’s sites and names only a superior in their scope', async () => {
    for (const [id, name] of [
      ['unit-a', 'Dinas A'],
      ['unit-b', 'Dinas B'],
    ]) {
      expect((await su('POST', '/api/units', { id, name })).status).toBe(201);
    }
    for (const [id, name] of [
      ['site-a', 'Kantor A'],
      ['site-b', 'Kantor B'],
    ]) {
      expect((await su('POST', '/api/sites', { id, name, timeZone: 'WIB' })).status).toBe(201);
    }
    const emp = (n: number, unitId: string, siteId: string) =>
      su('POST', '/api/employees', {
        nip: nip(n),
        name: `Pegawai ${n}`,
        unitId,
        siteId,
        startDate: '2020-01-01',
      });
    expect((await emp(70, 'unit-a', 'site-a')).status).toBe(201);
    expect((await emp(71, 'unit-b', 'site-b')).status).toBe(201);
    for (const [name, siteId] of [
      ['Gerbang A', 'site-a'],
      ['Gerbang B', 'site-b'],
    ]) {
      expect((await su('POST', '/api/terminals', { name, siteId })).status).toBe(201);
    }
    await su('POST', '/api/users', {
      username: 'opd-a',
      password: 'opd-a-password',
      role: 'OPD_ADMIN',
      unitId: 'unit-a',
    });
    const opd = (await login(c, 'opd-a', 'opd-a-password', '10.5.5.5')).body.token;
    const as = (method: string, path: string, body?: unknown) =>
      call<Err>(c, method, path, { body, token: opd });

    const kiosks = await call<Array<{ name: string }>>(c, 'GET', '/api/terminals', { token: opd });
    expect(kiosks.body.map((k) => k.name)).toEqual(['Gerbang A']);
    const all = await call<Array<{ name: string }>>(c, 'GET', '/api/terminals', { token });
    expect(all.body.map((k) => k.name)).toEqual(expect.arrayContaining(['Gerbang A', 'Gerbang B']));

    const other = await as('POST', '/api/employees', { nip: nip(72), name: 'Baru', superiorNip: nip(71) });
    const none = await as('POST', '/api/employees', { nip: nip(72), name: 'Baru', superiorNip: nip(79) });
    expect(other.status).toBe(400);
    expect(none.status).toBe(400);
    // Another unit's employee reads exactly like no employee: the answer tells no NIP exists.
    expect(other.body.error.message).toBe(none.body.error.message);
    expect(other.body.error.message).toMatch(/^superiorNip: /);
    expect(
      (await as('POST', '/api/employees', { nip: nip(72), name: 'Baru', superiorNip: nip(70) })).status,
    ).toBe(201);
    const patch = await as('PATCH', `/api/employees/${nip(72)}`, {
      superiorNip: nip(71),
      effectiveFrom: '2026-01-01',
    });
    expect(patch.status).toBe(400);
    expect(patch.body.error.message).toBe(none.body.error.message);
    // BKD's scope is everyone.
    expect(
      (await su('PATCH', `/api/employees/${nip(72)}`, { superiorNip: nip(71), effectiveFrom: '2026-01-01' }))
        .status,
    ).toBe(200);
  });

  it('health reports each dependency: the database written, free disk, the broker link', async () => {
    const h = await call<{
      status: string;
      failing: string[];
      checks: {
        database: { writable: boolean };
        disk: { freeMb: number; ok: boolean };
        broker: { ok: boolean };
      };
    }>(c, 'GET', '/api/health');
    expect(h.status).toBe(200);
    expect(h.body.status).toBe('ok');
    expect(h.body.failing).toEqual([]);
    expect(h.body.checks.database.writable).toBe(true);
    expect(h.body.checks.disk.freeMb).toBeGreaterThan(0);
    expect(h.body.checks.broker.ok).toBe(true);
  });
});

describe('health with the disk (nearly) full', () => {
  let c: Cluster;
  beforeAll(async () => {
    // More free space demanded than any test machine has: the disk reads as full.
    c = await Cluster.start({ db: 'sqlite', env: { HEALTH_MIN_FREE_MB: '1000000000' } });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('answers 503 naming the disk, while the rest stays ok', async () => {
    const h = await call<{ status: string; failing: string[]; db: string; broker: string; disk: string }>(
      c,
      'GET',
      '/api/health',
    );
    expect(h.status).toBe(503);
    expect(h.body).toMatchObject({
      status: 'degraded',
      failing: ['disk'],
      db: 'ok',
      broker: 'ok',
      disk: 'low',
    });
  });
});
