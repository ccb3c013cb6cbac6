import type { Db } from './db.ts';

export type AdminUserCreate = {
  id: string;
  username: string;
  passwordHash: string;
  role: string;
  unitId?: string | null | undefined;
};

/** Admin logins (admin_user). */
export class AdminUserRepository {
  constructor(private readonly db: Db) {}

  count(): Promise<number> {
    return this.db.prisma.adminUser.count();
  }

  findByUsername(username: string) {
    return this.db.prisma.adminUser.findUnique({ where: { username } });
  }

  create(data: AdminUserCreate) {
    return this.db.prisma.adminUser.create({ data: { ...data, unitId: data.unitId ?? null } });
  }
}
