/** Who may manage which admin user (UserService), on an in-memory user table and unit tree. */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type {
  AdminUserCreate,
  AdminUserRepository,
  AdminUserView,
} from '../../backend/repositories/admin-user.repository.ts';
import type { UnitRepository } from '../../backend/repositories/unit.repository.ts';
import type { Role, Session } from '../../backend/services/tokens.ts';
import { UserService } from '../../backend/services/user.service.ts';

const UNITS: Record<string, { active: boolean }> = {
  dinkes: { active: true },
  p2p: { active: true },
  disdik: { active: true },
  closed: { active: false },
};

function setup() {
  const rows = new Map<string, AdminUserView & { tokenVersion: number }>();
  const users = {
    find: async (id: string) => rows.get(id) ?? null,
    list: async (unitIds?: readonly string[]) =>
      [...rows.values()].filter((u) => !unitIds || (u.unitId !== null && unitIds.includes(u.unitId))),
    countActiveSuperAdmins: async () =>
      [...rows.values()].filter((u) => u.role === 'SUPERADMIN' && u.active).length,
    create: async (d: AdminUserCreate) => {
      const u = {
        id: d.id,
        username: d.username,
        role: d.role,
        unitId: d.unitId ?? null,
        displayName: d.displayName ?? null,
        active: true,
        tokenVersion: 0,
        createdAt: new Date(0),
        updatedAt: new Date(0),
      };
      rows.set(d.id, u);
      return u;
    },
    update: async (id: string, data: Partial<AdminUserView>, revoke = false) => {
      const u = rows.get(id);
      if (!u) throw new Error('no row');
      const defined = Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined));
      Object.assign(u, defined, revoke ? { tokenVersion: u.tokenVersion + 1 } : {});
      return u;
    },
    delete: async (id: string) => {
      rows.delete(id);
    },
  } as unknown as AdminUserRepository;
  const units = {
    find: async (id: string) => (UNITS[id] ? { id, ...UNITS[id] } : null),
  } as unknown as UnitRepository;
  const service = new UserService(users, units, pino({ level: 'silent' }));
  const add = (id: string, role: Role, unitId: string | null) =>
    users.create({ id, username: id, passwordHash: 'x', role, unitId });
  return { rows, service, add };
}

const session = (sub: string, role: Role, unitId: string | null, scope?: string[]): Session => ({
  sub,
  username: sub,
  role,
  unitId,
  ver: 0,
  exp: 0,
  scopeUnitIds: scope,
});
const root = session('root', 'SUPERADMIN', null);
const bkd = session('bkd', 'BKD', null);
const opd = session('opd', 'OPD_ADMIN', 'dinkes', ['dinkes', 'p2p']);
const sup = session('sup', 'SUPERVISOR', 'p2p', ['p2p']);
const input = (role: Role, unitId?: string) => ({
  username: `u-${role}`,
  password: 'x'.repeat(10),
  role,
  unitId,
});

describe('UserService permissions', () => {
  it.each([
    ['root', root, 'SUPERADMIN', undefined, 'ok'],
    ['bkd', bkd, 'SUPERADMIN', undefined, 'FORBIDDEN'],
    ['bkd', bkd, 'BKD', undefined, 'ok'],
    ['bkd', bkd, 'OPD_ADMIN', 'disdik', 'ok'],
    ['opd', opd, 'SUPERVISOR', 'p2p', 'ok'],
    ['opd', opd, 'OPD_ADMIN', 'dinkes', 'ok'],
    ['opd', opd, 'SUPERVISOR', 'disdik', 'FORBIDDEN'],
    ['opd', opd, 'BKD', undefined, 'FORBIDDEN'],
    ['sup', sup, 'SUPERVISOR', 'p2p', 'FORBIDDEN'],
    ['root', root, 'OPD_ADMIN', undefined, 'VALIDATION'],
    ['root', root, 'SUPERVISOR', 'nowhere', 'VALIDATION'],
    ['root', root, 'SUPERVISOR', 'closed', 'VALIDATION'],
  ] as const)('%s creating a %s in %s: %s', async (_who, s, role, unitId, outcome) => {
    const { service } = setup();
    const r = service.create(s, input(role, unitId));
    if (outcome === 'ok') await expect(r).resolves.toMatchObject({ role, unitId: unitId ?? null });
    else await expect(r).rejects.toMatchObject({ code: outcome });
  });

  it('lets BKD manage an OPD admin but not a super admin, and an OPD admin only their subtree', async () => {
    const { service, add } = setup();
    await add('root', 'SUPERADMIN', null);
    await add('a-disdik', 'OPD_ADMIN', 'disdik');
    await add('s-p2p', 'SUPERVISOR', 'p2p');
    await expect(service.setActive(bkd, 'root', false)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(service.setActive(bkd, 'a-disdik', false)).resolves.toMatchObject({ active: false });
    await expect(service.remove(opd, 'a-disdik')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(service.update(opd, 's-p2p', { unitId: 'disdik' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(service.update(opd, 's-p2p', { role: 'OPD_ADMIN' })).resolves.toMatchObject({
      role: 'OPD_ADMIN',
    });
    expect((await service.list(opd)).map((u) => u.id)).toEqual(['s-p2p']);
  });

  it('revokes on disable, delete and reset; keeps one active super admin', async () => {
    const { service, add, rows } = setup();
    await add('root', 'SUPERADMIN', null);
    await add('other', 'BKD', null);
    await service.resetPassword(root, 'other', 'y'.repeat(10));
    expect(rows.get('other')?.tokenVersion).toBe(1);
    await service.setActive(root, 'other', false);
    expect(rows.get('other')?.tokenVersion).toBe(2);
    await service.setActive(root, 'other', true);
    expect(rows.get('other')?.tokenVersion).toBe(2);
    await add('second', 'SUPERADMIN', null);
    await expect(service.remove(root, 'root')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(service.resetPassword(root, 'root', 'z'.repeat(10))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    await service.update(root, 'second', { role: 'BKD' });
    await expect(
      service.update(session('x', 'SUPERADMIN', null), 'root', { role: 'BKD' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await service.remove(root, 'other');
    expect(rows.has('other')).toBe(false);
  });
});
