import type { Db } from './db.ts';

export type AdminUserCreate = {
  id: string;
  username: string;
  passwordHash: string;
  role: string;
  unitId?: string | null | undefined;
  displayName?: string | null | undefined;
};

export type AdminUserChange = {
  role?: string | undefined;
  unitId?: string | null | undefined;
  displayName?: string | null | undefined;
  active?: boolean | undefined;
  passwordHash?: string | undefined;
};

/** An admin user as shown: everything but the password hash. */
export type AdminUserView = {
  id: string;
  username: string;
  role: string;
  unitId: string | null;
  displayName: string | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
};

const VIEW = {
  id: true,
  username: true,
  role: true,
  unitId: true,
  displayName: true,
  active: true,
  createdAt: true,
  updatedAt: true,
} as const;

/** Admin logins (admin_user). Only `findByUsername`/`findForAuth` read the password hash. */
export class AdminUserRepository {
  constructor(private readonly db: Db) {}

  count(): Promise<number> {
    return this.db.prisma.adminUser.count();
  }

  findByUsername(username: string) {
    return this.db.prisma.adminUser.findUnique({ where: { username } });
  }

  /** The row a request's token is checked against: one primary-key read. */
  findForAuth(id: string) {
    return this.db.prisma.adminUser.findUnique({
      where: { id },
      select: { id: true, username: true, role: true, unitId: true, active: true, tokenVersion: true },
    });
  }

  /** With the hash, for a password check. */
  findWithHash(id: string) {
    return this.db.prisma.adminUser.findUnique({ where: { id } });
  }

  find(id: string): Promise<AdminUserView | null> {
    return this.db.prisma.adminUser.findUnique({ where: { id }, select: VIEW });
  }

  /** Everyone, or the users of these units. */
  list(unitIds?: readonly string[]): Promise<AdminUserView[]> {
    return this.db.prisma.adminUser.findMany({
      where: unitIds ? { unitId: { in: [...unitIds] } } : {},
      select: VIEW,
      orderBy: { username: 'asc' },
    });
  }

  countActiveSuperAdmins(): Promise<number> {
    return this.db.prisma.adminUser.count({ where: { role: 'SUPERADMIN', active: true } });
  }

  create(data: AdminUserCreate): Promise<AdminUserView> {
    return this.db.prisma.adminUser.create({
      data: { ...data, unitId: data.unitId ?? null, displayName: data.displayName ?? null },
      select: VIEW,
    });
  }

  /** Changes the row; `revoke` raises the token version, which refuses every token issued before. */
  update(
    id: string,
    data: AdminUserChange,
    revoke = false,
  ): Promise<AdminUserView & { tokenVersion: number }> {
    return this.db.prisma.adminUser.update({
      where: { id },
      data: { ...data, ...(revoke ? { tokenVersion: { increment: 1 } } : {}) },
      select: { ...VIEW, tokenVersion: true },
    });
  }

  async delete(id: string): Promise<void> {
    await this.db.prisma.adminUser.delete({ where: { id } });
  }
}
