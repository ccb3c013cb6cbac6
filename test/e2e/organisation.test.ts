/**
 * The organisation through REST only (issue #11): a unit tree (OPD → bidang → sub-bagian), sites in
 * two zones, scoping that follows the tree, and admin users whose sessions end at once when they are
 * deleted, disabled or change their password.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_PASSWORD, Cluster } from '../support/cluster.ts';
import { describeEachDb } from '../support/db-variants.ts';
import { nip } from '../support/punches.ts';

type Err = { error: { code: string; message: string } };
type Unit = { id: string; name: string; parentId: string | null; active: boolean; depth: number };
type Nested = Unit & { children: Nested[] };
type Site = { id: string; name: string; timeZone: string; address: string | null; latitude: number | null };
type User = { id: string; username: string; role: string; unitId: string | null; active: boolean };
type Answer<T> = { status: number; body: T };

describeEachDb('Organisation: units, sites and users on %s', (db) => {
  let c: Cluster;
  let adminToken: string | undefined;
  /** REST as the super admin, or with `token`; a 204 has no body. */
  const call = async <T = unknown>(method: string, path: string, body?: unknown, token?: string) => {
    adminToken ??= (await login('admin', ADMIN_PASSWORD)).body.token;
    const auth = token ?? adminToken;
    const res = await fetch(`http://127.0.0.1:${c.httpPort}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const login = (username: string, password: string) =>
    c.api<{ token: string; user: { role: string } }>('POST', '/api/auth/login', { username, password }, '');
  const expect400 = (r: Answer<unknown>, field: string) => {
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect((r.body as Err).error.message).toMatch(new RegExp(`\\b${field}\\b`));
  };
  const userAndToken = async (username: string, role: string, unitId?: string) => {
    const password = `${username}-password-1`;
    const u = await call<User>('POST', '/api/users', {
      username,
      password,
      role,
      ...(unitId ? { unitId } : {}),
    });
    expect(u.status, JSON.stringify(u.body)).toBe(201);
    const l = await login(username, password);
    expect(l.status).toBe(200);
    return { id: u.body.id, password, token: l.body.token };
  };
  const nipsSeenWith = async (token: string) => {
    const r = await call<Array<{ nip: string }>>('GET', '/api/employees', undefined, token);
    expect(r.status).toBe(200);
    return r.body.map((e) => e.nip).sort();
  };

  beforeAll(async () => {
    c = await Cluster.start({ db });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('builds a unit tree OPD → bidang → sub-bagian, shown flat and nested', async () => {
    const opd = await call<Unit>('POST', '/api/units', { id: 'dinkes', name: 'Dinas Kesehatan' });
    expect(opd.status).toBe(201);
    expect(opd.body).toMatchObject({ id: 'dinkes', parentId: null, depth: 0, active: true });
    const bidang = await call<Unit>('POST', '/api/units', {
      id: 'p2p',
      name: 'Bidang P2P',
      parentId: 'dinkes',
    });
    expect(bidang.body).toMatchObject({ parentId: 'dinkes', depth: 1 });
    const sub = await call<Unit>('POST', '/api/units', {
      id: 'surv',
      name: 'Seksi Surveilans',
      parentId: 'p2p',
    });
    expect(sub.body).toMatchObject({ parentId: 'p2p', depth: 2 });
    // Without an id, one is made from the name.
    const other = await call<Unit>('POST', '/api/units', { name: 'Dinas Pendidikan' });
    expect(other.status).toBe(201);
    expect(other.body.id).toBe('dinas-pendidikan');
    expect((await call<Err>('POST', '/api/units', { id: 'dinkes', name: 'Lagi' })).status).toBe(409);

    const flat = await call<Unit[]>('GET', '/api/units');
    expect(flat.body.find((u) => u.id === 'surv')).toMatchObject({ parentId: 'p2p', depth: 2 });
    const tree = await call<Nested[]>('GET', '/api/units?tree=1');
    const dinkes = tree.body.find((u) => u.id === 'dinkes');
    expect(dinkes?.children.map((u) => u.id)).toEqual(['p2p']);
    expect(dinkes?.children[0]?.children.map((u) => u.id)).toEqual(['surv']);
    const one = await call<{ subUnitIds: string[] }>('GET', '/api/units/dinkes');
    expect(one.body.subUnitIds.sort()).toEqual(['p2p', 'surv']);
    expect((await call<Err>('GET', '/api/units/nowhere')).status).toBe(404);
  });

  it('creates sites in two zones, refuses other zones and bad coordinates, and deactivates a site', async () => {
    const serang = await call<Site>('POST', '/api/sites', {
      name: 'Kantor Bupati Serang',
      timeZone: 'WIB',
      address: 'Jl. Veteran No. 1, Serang',
      latitude: -6.1149,
      longitude: 106.1503,
    });
    expect(serang.status, JSON.stringify(serang.body)).toBe(201);
    expect(serang.body).toMatchObject({
      id: 'kantor-bupati-serang',
      timeZone: 'Asia/Jakarta',
      latitude: -6.1149,
    });
    const makassar = await call<Site>('POST', '/api/sites', {
      id: 'mks',
      name: 'UPT Makassar',
      timeZone: 'Asia/Makassar',
    });
    expect(makassar.body).toMatchObject({
      id: 'mks',
      timeZone: 'Asia/Makassar',
      address: null,
      latitude: null,
    });
    const wit = await call<Site>('PATCH', '/api/sites/mks', { timeZone: 'WIT', address: 'Jayapura' });
    expect(wit.body).toMatchObject({ timeZone: 'Asia/Jayapura', address: 'Jayapura' });
    await call('PATCH', '/api/sites/mks', { timeZone: 'WITA' });
    const zones = (await call<Site[]>('GET', '/api/sites')).body.map((s) => [s.id, s.timeZone]);
    expect(zones).toEqual(
      expect.arrayContaining([
        ['kantor-bupati-serang', 'Asia/Jakarta'],
        ['mks', 'Asia/Makassar'],
      ]),
    );

    expect400(await call('POST', '/api/sites', { name: 'Tokyo', timeZone: 'Asia/Tokyo' }), 'timeZone');
    expect400(await call('POST', '/api/sites', { name: 'X', timeZone: 'UTC+7' }), 'timeZone');
    expect400(await call('PATCH', '/api/sites/mks', { timeZone: 'Europe/Berlin' }), 'timeZone');
    expect400(
      await call('POST', '/api/sites', { name: 'X', timeZone: 'WIB', latitude: 95, longitude: 100 }),
      'latitude',
    );
    expect400(await call('POST', '/api/sites', { name: 'X', timeZone: 'WIB', latitude: -6 }), 'longitude');
    expect400(await call('PATCH', '/api/sites/mks', { longitude: 181 }), 'longitude');
    expect400(await call('PATCH', '/api/sites/mks', { latitude: -5.1 }), 'longitude');

    // A kiosk registered before the deactivation keeps its registration; no new one is taken.
    const before = await call<{ id: string }>('POST', '/api/terminals', { name: 'Gerbang', siteId: 'mks' });
    expect(before.status).toBe(201);
    const off = await call<{ active: boolean }>('POST', '/api/sites/mks/deactivate');
    expect(off.body.active).toBe(false);
    expect((await call<Err>('POST', '/api/terminals', { name: 'Baru', siteId: 'mks' })).status).toBe(409);
    const terminals = await call<Array<{ id: string; active: boolean }>>('GET', '/api/terminals');
    expect(terminals.body.find((t) => t.id === before.body.id)?.active).toBe(true);
    await call('POST', '/api/sites/mks/reactivate');
    expect((await call('POST', '/api/terminals', { name: 'Baru', siteId: 'mks' })).status).toBe(201);
  });

  it('renames and moves units; refuses cycles, unknown parents and empty names, naming the field', async () => {
    const renamed = await call<Unit>('PATCH', '/api/units/surv', { name: 'Seksi Surveilans dan Imunisasi' });
    expect(renamed.body).toMatchObject({
      id: 'surv',
      name: 'Seksi Surveilans dan Imunisasi',
      parentId: 'p2p',
    });
    // Created under the wrong OPD, then moved with its sub-unit.
    await call('POST', '/api/units', {
      id: 'yankes',
      name: 'Bidang Pelayanan',
      parentId: 'dinas-pendidikan',
    });
    await call('POST', '/api/units', { id: 'rujukan', name: 'Seksi Rujukan', parentId: 'yankes' });
    const moved = await call<Unit>('PATCH', '/api/units/yankes', { parentId: 'dinkes' });
    expect(moved.body).toMatchObject({ parentId: 'dinkes', depth: 1 });
    const subs = await call<{ subUnitIds: string[] }>('GET', '/api/units/dinkes');
    expect(subs.body.subUnitIds.sort()).toEqual(['p2p', 'rujukan', 'surv', 'yankes']);

    expect400(await call('PATCH', '/api/units/dinkes', { parentId: 'surv' }), 'parentId');
    expect400(await call('PATCH', '/api/units/dinkes', { parentId: 'p2p' }), 'parentId');
    expect400(await call('PATCH', '/api/units/p2p', { parentId: 'p2p' }), 'parentId');
    expect400(await call('PATCH', '/api/units/p2p', { parentId: 'nowhere' }), 'parentId');
    expect400(await call('POST', '/api/units', { name: 'Bidang X', parentId: 'nowhere' }), 'parentId');
    expect400(await call('POST', '/api/units', { name: '   ' }), 'name');
    expect400(await call('PATCH', '/api/units/p2p', { name: '' }), 'name');
    // Nothing changed by the refusals.
    expect((await call<Unit>('GET', '/api/units/dinkes')).body.parentId).toBeNull();
  });

  it('scopes an OPD admin and a supervisor to their unit and everything below it', async () => {
    await call('POST', '/api/employees', { nip: nip(1), name: 'Kepala Dinas', unitId: 'dinkes' });
    await call('POST', '/api/employees', { nip: nip(2), name: 'Staf Surveilans', unitId: 'surv' });
    await call('POST', '/api/employees', { nip: nip(3), name: 'Guru', unitId: 'dinas-pendidikan' });
    await call('POST', '/api/employees', { nip: nip(4), name: 'Staf P2P', unitId: 'p2p' });
    const admin = await userAndToken('admin-dinkes', 'OPD_ADMIN', 'dinkes');
    const head = await userAndToken('kabid-p2p', 'SUPERVISOR', 'p2p');
    await userAndToken('admin-disdik', 'OPD_ADMIN', 'dinas-pendidikan');

    expect(await nipsSeenWith(admin.token)).toEqual([nip(1), nip(2), nip(4)]);
    expect(await nipsSeenWith(head.token)).toEqual([nip(2), nip(4)]);
    const asked = await call<Array<{ nip: string }>>(
      'GET',
      '/api/employees?unitId=surv',
      undefined,
      admin.token,
    );
    expect(asked.body.map((e) => e.nip)).toEqual([nip(2)]);
    expect((await call('GET', '/api/employees?unitId=dinas-pendidikan', undefined, admin.token)).status).toBe(
      403,
    );
    const units = await call<Unit[]>('GET', '/api/units', undefined, head.token);
    expect(units.body.map((u) => u.id).sort()).toEqual(['p2p', 'surv']);

    // The OPD admin changes the units below their own, never their own unit nor outside it.
    const own = await call<Unit>(
      'POST',
      '/api/units',
      { id: 'tu', name: 'Sub Bagian TU', parentId: 'dinkes' },
      admin.token,
    );
    expect(own.status).toBe(201);
    expect((await call('PATCH', '/api/units/tu', { name: 'Subbag Tata Usaha' }, admin.token)).status).toBe(
      200,
    );
    expect((await call('PATCH', '/api/units/dinkes', { name: 'Dinkes' }, admin.token)).status).toBe(403);
    expect((await call('POST', '/api/units', { name: 'Dinas Baru' }, admin.token)).status).toBe(403);
    expect((await call('PATCH', '/api/units/tu', { parentId: 'dinas-pendidikan' }, admin.token)).status).toBe(
      403,
    );
    expect((await call('POST', '/api/units', { name: 'X', parentId: 'p2p' }, head.token)).status).toBe(403);

    // Users: the OPD admin sees and manages those of their subtree only, never above their role.
    const users = await call<User[]>('GET', '/api/users', undefined, admin.token);
    expect(users.body.map((u) => u.username).sort()).toEqual(['admin-dinkes', 'kabid-p2p']);
    const sup = { username: 'kasi-surv', password: 'kasi-surv-password', role: 'SUPERVISOR', unitId: 'surv' };
    expect((await call('POST', '/api/users', sup, admin.token)).status).toBe(201);
    expect(
      (
        await call(
          'POST',
          '/api/users',
          { ...sup, username: 'other-1', unitId: 'dinas-pendidikan' },
          admin.token,
        )
      ).status,
    ).toBe(403);
    expect(
      (await call('POST', '/api/users', { ...sup, username: 'other-2', role: 'BKD' }, admin.token)).status,
    ).toBe(403);
    expect((await call('GET', '/api/users', undefined, head.token)).status).toBe(403);

    // A move shows in the scope at the next request.
    expect((await call('PATCH', '/api/units/surv', { parentId: 'dinas-pendidikan' })).status).toBe(200);
    expect(await nipsSeenWith(admin.token)).toEqual([nip(1), nip(4)]);
    expect(await nipsSeenWith(head.token)).toEqual([nip(4)]);
    expect((await call('PATCH', '/api/units/surv', { parentId: 'p2p' })).status).toBe(200);
    expect(await nipsSeenWith(head.token)).toEqual([nip(2), nip(4)]);
  });

  it('deletes only an unused unit; one in use is deactivated with its sub-units', async () => {
    const used = await call<Err>('DELETE', '/api/units/surv');
    expect(used.status).toBe(409);
    expect(used.body.error.message).toMatch(/employees.*deactivate/);
    expect((await call<Err>('DELETE', '/api/units/dinkes')).status).toBe(409);
    await call('POST', '/api/units', { id: 'kosong', name: 'Unit Kosong', parentId: 'dinkes' });
    expect((await call('DELETE', '/api/units/kosong')).status).toBe(204);
    expect((await call('GET', '/api/units/kosong')).status).toBe(404);

    const off = await call<{ active: boolean; deactivated: string[] }>('POST', '/api/units/p2p/deactivate');
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect(off.body.deactivated.sort()).toEqual(['p2p', 'surv']);
    // Kept, with its employees, and listed as deactivated.
    expect((await call<Unit>('GET', '/api/units/surv')).body.active).toBe(false);
    const inactive = await call<Unit[]>('GET', '/api/units?active=false');
    expect(inactive.body.map((u) => u.id).sort()).toEqual(['p2p', 'surv']);
    expect400(await call('POST', '/api/units', { name: 'Seksi Baru', parentId: 'surv' }), 'parentId');
    const user = {
      username: 'late-user',
      password: 'late-user-password',
      role: 'SUPERVISOR',
      unitId: 'surv',
    };
    expect400(await call('POST', '/api/users', user), 'unitId');
    // Nor new employees, created there or moved there.
    expect400(await call('POST', '/api/employees', { nip: nip(9), name: 'Baru', unitId: 'surv' }), 'unitId');
    const moved = { unitId: 'surv', effectiveFrom: '2026-01-01' };
    expect400(await call('PATCH', `/api/employees/${nip(1)}`, moved), 'unitId');
    expect((await call<Err>('POST', '/api/units/surv/reactivate')).status).toBe(409);
    expect((await call<Unit>('POST', '/api/units/p2p/reactivate')).body.active).toBe(true);
    expect((await call<Unit>('GET', '/api/units/surv')).body.active).toBe(false);
  });

  it('validates new users: unknown unit and a unit-less OPD admin are 400 naming unitId', async () => {
    const base = { username: 'new-user', password: 'new-user-password' };
    expect400(await call('POST', '/api/users', { ...base, role: 'OPD_ADMIN', unitId: 'nowhere' }), 'unitId');
    expect400(await call('POST', '/api/users', { ...base, role: 'SUPERVISOR' }), 'unitId');
    expect400(await call('POST', '/api/users', { ...base, role: 'KING' }), 'role');
    expect400(await call('POST', '/api/users', { ...base, password: 'short', role: 'BKD' }), 'password');
    const ok = await call<User & { passwordHash?: string }>('POST', '/api/users', {
      ...base,
      role: 'BKD',
      displayName: 'Budi',
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ role: 'BKD', unitId: null, active: true });
    expect(JSON.stringify(ok.body)).not.toMatch(/hash|scrypt/i);
    expect((await call('POST', '/api/users', { ...base, role: 'BKD' })).status).toBe(409);
    const changed = await call<User>('PATCH', `/api/users/${ok.body.id}`, {
      role: 'OPD_ADMIN',
      unitId: 'dinkes',
    });
    expect(changed.body).toMatchObject({ role: 'OPD_ADMIN', unitId: 'dinkes' });
    const list = await call<User[]>('GET', '/api/users');
    expect(JSON.stringify(list.body)).not.toMatch(/hash|scrypt/i);
  });

  it('refuses a deleted user’s token, a disabled user’s, and one issued before a password reset, at once', async () => {
    const gone = await userAndToken('to-delete', 'BKD');
    expect((await call('GET', '/api/units', undefined, gone.token)).status).toBe(200);
    expect((await call('DELETE', `/api/users/${gone.id}`)).status).toBe(204);
    expect((await call<Err>('GET', '/api/units', undefined, gone.token)).status).toBe(401);
    expect((await login('to-delete', gone.password)).status).toBe(401);

    const off = await userAndToken('to-disable', 'OPD_ADMIN', 'dinkes');
    expect((await call('POST', `/api/users/${off.id}/disable`)).status).toBe(200);
    expect((await call('GET', '/api/employees', undefined, off.token)).status).toBe(401);
    expect((await login('to-disable', off.password)).status).toBe(401);
    expect((await call('POST', `/api/users/${off.id}/enable`)).status).toBe(200);
    expect((await call('GET', '/api/employees', undefined, off.token)).status).toBe(401);
    expect((await login('to-disable', off.password)).status).toBe(200);

    const reset = await userAndToken('to-reset', 'SUPERVISOR', 'dinkes');
    const r = await call('POST', `/api/users/${reset.id}/password`, { newPassword: 'a-brand-new-password' });
    expect(r.status).toBe(200);
    expect((await call('GET', '/api/employees', undefined, reset.token)).status).toBe(401);
    expect((await login('to-reset', reset.password)).status).toBe(401);
    expect((await login('to-reset', 'a-brand-new-password')).status).toBe(200);

    // The last super admin cannot lock everyone out.
    const me = (await call<User[]>('GET', '/api/users')).body.find((u) => u.username === 'admin') as User;
    expect((await call('DELETE', `/api/users/${me.id}`)).status).toBe(409);
    expect((await call('POST', `/api/users/${me.id}/disable`)).status).toBe(409);
  });

  it('changes one’s own password: earlier tokens refused, a fresh one given', async () => {
    const u = await userAndToken('self-service', 'OPD_ADMIN', 'dinkes');
    const second = (await login('self-service', u.password)).body.token;
    const wrong = await call(
      'POST',
      '/api/auth/password',
      { currentPassword: 'not-it', newPassword: 'my-new-password-1' },
      u.token,
    );
    expect400(wrong, 'currentPassword');
    expect400(
      await call(
        'POST',
        '/api/auth/password',
        { currentPassword: u.password, newPassword: 'short' },
        u.token,
      ),
      'newPassword',
    );
    const ok = await call<{ token: string }>(
      'POST',
      '/api/auth/password',
      { currentPassword: u.password, newPassword: 'my-new-password-1' },
      u.token,
    );
    expect(ok.status).toBe(200);
    expect((await call('GET', '/api/employees', undefined, u.token)).status).toBe(401);
    expect((await call('GET', '/api/employees', undefined, second)).status).toBe(401);
    expect((await call('GET', '/api/employees', undefined, ok.body.token)).status).toBe(200);
    expect((await login('self-service', u.password)).status).toBe(401);
    expect((await login('self-service', 'my-new-password-1')).status).toBe(200);
    const me = await call<{ username: string; scopeUnitIds: string[] }>(
      'GET',
      '/api/auth/me',
      undefined,
      ok.body.token,
    );
    expect(me.body.username).toBe('self-service');
    expect(me.body.scopeUnitIds).toEqual(expect.arrayContaining(['dinkes', 'p2p', 'surv']));
  });

  it('documents every organisation endpoint with its fields', async () => {
    const doc = await c.api<{ paths: Record<string, Record<string, { requestBody?: unknown }>> }>(
      'GET',
      '/api/openapi.json',
    );
    const paths = doc.body.paths;
    for (const p of [
      '/api/units',
      '/api/units/{id}',
      '/api/units/{id}/deactivate',
      '/api/users/{id}/disable',
      '/api/auth/password',
      '/api/sites/{id}/deactivate',
    ])
      expect(Object.keys(paths), p).toContain(p);
    const unitBody = JSON.stringify(paths['/api/units']?.post?.requestBody);
    expect(unitBody).toMatch(/parentId/);
    expect(JSON.stringify(paths['/api/sites']?.post?.requestBody)).toMatch(/WITA/);
    expect(JSON.stringify(paths['/api/users/{id}/password']?.post?.requestBody)).toMatch(/newPassword/);
  });
});
