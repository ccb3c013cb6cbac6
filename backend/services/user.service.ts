import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.ts';
import { AppError } from '../errors.ts';
import type { AdminUserRepository, AdminUserView } from '../repositories/admin-user.repository.ts';
import type { UnitRepository } from '../repositories/unit.repository.ts';
import type { LoginThrottle } from './login-throttle.service.ts';
import { hashPassword } from './passwords.ts';
import { inScope, scopeOf } from './scope.ts';
import type { Role, Session } from './tokens.ts';

/**
 * The roles each role may give, and so manage: a super admin any; BKD every role but super admin;
 * an OPD admin the OPD admins and supervisors of their own subtree; a supervisor none.
 */
export const GRANTABLE: Readonly<Record<Role, readonly Role[]>> = {
  SUPERADMIN: ['SUPERADMIN', 'BKD', 'OPD_ADMIN', 'SUPERVISOR'],
  BKD: ['BKD', 'OPD_ADMIN', 'SUPERVISOR'],
  OPD_ADMIN: ['OPD_ADMIN', 'SUPERVISOR'],
  SUPERVISOR: [],
};

const UNIT_ROLES: readonly Role[] = ['OPD_ADMIN', 'SUPERVISOR'];

export type UserInput = {
  username: string;
  password: string;
  role: Role;
  unitId?: string | undefined;
  displayName?: string | undefined;
};
export type UserPatch = {
  role?: Role | undefined;
  unitId?: string | null | undefined;
  displayName?: string | null | undefined;
};

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'P2002';
}

/**
 * Admin users: create, edit, disable, delete, reset a password. Disabling, deleting or a password
 * reset raises the user's token version, so every token they hold is refused at the next request.
 * Never returns a password hash.
 */
export class UserService {
  constructor(
    private readonly users: AdminUserRepository,
    private readonly units: UnitRepository,
    private readonly log: Logger,
    private readonly throttle?: LoginThrottle,
  ) {}

  list(s: Session): Promise<AdminUserView[]> {
    const scope = scopeOf(s);
    return this.users.list(scope.all ? undefined : scope.unitIds);
  }

  async get(s: Session, id: string): Promise<AdminUserView> {
    const u = await this.users.find(id);
    const scope = scopeOf(s);
    // Outside the caller's scope it does not exist for them.
    if (!u || !(scope.all || u.id === s.sub || (u.unitId !== null && inScope(scope, u.unitId)))) {
      throw new AppError('NOT_FOUND', `user ${id} not found`);
    }
    return u;
  }

  async create(s: Session, input: UserInput): Promise<AdminUserView> {
    await this.checkAssignment(s, input.role, input.unitId ?? null);
    try {
      const u = await this.users.create({
        id: randomUUID(),
        username: input.username,
        passwordHash: await hashPassword(input.password),
        role: input.role,
        unitId: input.unitId ?? null,
        displayName: input.displayName ?? null,
      });
      this.log.info({ by: s.sub, userId: u.id, role: u.role, unitId: u.unitId }, 'admin user created');
      return u;
    } catch (err) {
      if (isUniqueViolation(err))
        throw new AppError('CONFLICT', `user ${input.username} already exists`, { cause: err });
      throw err;
    }
  }

  /** Role, unit, display name. A role or unit change applies to the user's next request. */
  async update(s: Session, id: string, patch: UserPatch): Promise<AdminUserView> {
    const u = await this.managed(s, id);
    const role = patch.role ?? (u.role as Role);
    const unitId = patch.unitId === undefined ? u.unitId : patch.unitId;
    if (patch.role !== undefined || patch.unitId !== undefined) await this.checkAssignment(s, role, unitId);
    if (u.role === 'SUPERADMIN' && role !== 'SUPERADMIN') await this.keepOneSuperAdmin(u);
    const { tokenVersion: _, ...view } = await this.users.update(id, {
      role: patch.role,
      unitId: patch.unitId,
      displayName: patch.displayName,
    });
    return view;
  }

  async setActive(s: Session, id: string, active: boolean): Promise<AdminUserView> {
    const u = await this.managed(s, id);
    if (!active) {
      if (u.id === s.sub) throw new AppError('CONFLICT', 'you cannot disable yourself');
      await this.keepOneSuperAdmin(u);
    }
    // Disabling revokes at once; enabling does not bring old tokens back (the version moved on).
    const { tokenVersion: _, ...view } = await this.users.update(id, { active }, !active);
    this.log.info({ by: s.sub, userId: id, active }, active ? 'admin user enabled' : 'admin user disabled');
    return view;
  }

  async remove(s: Session, id: string): Promise<void> {
    const u = await this.managed(s, id);
    if (u.id === s.sub) throw new AppError('CONFLICT', 'you cannot delete yourself');
    await this.keepOneSuperAdmin(u);
    await this.users.delete(id);
    this.log.info({ by: s.sub, userId: id }, 'admin user deleted');
  }

  /** An admin sets another user's password; that user's sessions end at once. */
  async resetPassword(s: Session, id: string, newPassword: string): Promise<AdminUserView> {
    if (id === s.sub) {
      throw new AppError('CONFLICT', 'change your own password with POST /api/auth/password');
    }
    await this.managed(s, id);
    const { tokenVersion: _, ...view } = await this.users.update(
      id,
      { passwordHash: await hashPassword(newPassword) },
      true,
    );
    // A new password is a fresh start: a lockout from guesses at the old one ends.
    await this.throttle?.unlock(view.username);
    this.log.info({ by: s.sub, userId: id }, 'password reset; sessions revoked');
    return view;
  }

  /** Ends a login lockout of the user (failed logins forgotten); `unlocked`: whether there was one. */
  async unlock(s: Session, id: string): Promise<{ user: AdminUserView; unlocked: boolean }> {
    const u = await this.managed(s, id);
    const unlocked = (await this.throttle?.unlock(u.username)) ?? false;
    this.log.info({ by: s.sub, userId: id, unlocked }, 'login lockout cleared');
    return { user: u, unlocked };
  }

  /** The user, when the caller may manage them (their role is one the caller may give, in scope). */
  private async managed(s: Session, id: string): Promise<AdminUserView> {
    const u = await this.get(s, id);
    if (!GRANTABLE[s.role].includes(u.role as Role)) {
      throw new AppError('FORBIDDEN', `role ${s.role} may not manage a ${u.role} user`);
    }
    return u;
  }

  /** The role may be given by the caller, and the unit exists, is active and is in their scope. */
  private async checkAssignment(s: Session, role: Role, unitId: string | null): Promise<void> {
    if (!GRANTABLE[s.role].includes(role)) {
      throw new AppError('FORBIDDEN', `role ${s.role} may not give the role ${role}`);
    }
    if (UNIT_ROLES.includes(role) && !unitId) {
      throw new AppError('VALIDATION', `unitId: role ${role} needs a unit`);
    }
    const scope = scopeOf(s);
    if (unitId === null) {
      if (!scope.all) throw new AppError('FORBIDDEN', 'a user without a unit is outside your scope');
      return;
    }
    const unit = await this.units.find(unitId);
    if (!unit) throw new AppError('VALIDATION', `unitId: unknown unit ${unitId}`);
    if (!unit.active) throw new AppError('VALIDATION', `unitId: unit ${unitId} is deactivated`);
    if (!inScope(scope, unitId)) throw new AppError('FORBIDDEN', `unit ${unitId} is outside your scope`);
  }

  /** Refuses to leave the installation without an active super admin. */
  private async keepOneSuperAdmin(u: AdminUserView): Promise<void> {
    if (u.role !== 'SUPERADMIN' || !u.active) return;
    if ((await this.users.countActiveSuperAdmins()) <= 1) {
      throw new AppError('CONFLICT', 'this is the last active super admin');
    }
  }
}
