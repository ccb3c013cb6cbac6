import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.ts';
import { AppError } from '../errors.ts';
import type { AdminUserRepository } from '../repositories/admin-user.repository.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { Session, TokenService } from './tokens.ts';

export class AuthService {
  // Compared against when the user does not exist, so both paths cost one scrypt.
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: AdminUserRepository,
    private readonly tokens: TokenService,
    private readonly log: Logger,
  ) {}

  /**
   * First start: creates the super admin from ADMIN_USERNAME/ADMIN_PASSWORD, or
   * with a generated password that is printed this once. Returns that password
   * when one was generated.
   */
  async bootstrapAdmin(username = 'admin', password?: string): Promise<string | undefined> {
    const count = await this.users.count();
    if (count > 0) return undefined;
    const generated = password ? undefined : randomBytes(12).toString('hex'); // never starts with '-' (a CLI argument)
    const pw = password ?? (generated as string);
    await this.users.create({
      id: randomUUID(),
      username,
      passwordHash: await hashPassword(pw),
      role: 'SUPERADMIN',
    });
    if (generated) {
      // Printed once, on purpose: there is no other way to learn it.
      this.log.warn({ username }, 'created the first admin with a generated password (shown once below)');
      process.stdout.write(`\n  Admin login: ${username} / ${generated}\n\n`);
    }
    return generated;
  }

  async login(username: string, password: string): Promise<{ token: string; user: Omit<Session, 'exp'> }> {
    const u = await this.users.findByUsername(username);
    if (!u) {
      this.dummyHash ??= hashPassword(randomUUID());
      await verifyPassword(password, await this.dummyHash);
      throw new AppError('BAD_CREDENTIALS');
    }
    if (!(await verifyPassword(password, u.passwordHash))) throw new AppError('BAD_CREDENTIALS');
    const user = { sub: u.id, username: u.username, role: u.role as Session['role'], unitId: u.unitId };
    return { token: this.tokens.issue(user), user };
  }

  async createUser(input: {
    username: string;
    password: string;
    role: Session['role'];
    unitId?: string | undefined;
  }) {
    if ((input.role === 'OPD_ADMIN' || input.role === 'SUPERVISOR') && !input.unitId) {
      throw new AppError('VALIDATION', `role ${input.role} needs a unitId`);
    }
    const exists = await this.users.findByUsername(input.username);
    if (exists) throw new AppError('CONFLICT', `user ${input.username} already exists`);
    const u = await this.users.create({
      id: randomUUID(),
      username: input.username,
      passwordHash: await hashPassword(input.password),
      role: input.role,
      unitId: input.unitId,
    });
    return { id: u.id, username: u.username, role: u.role, unitId: u.unitId };
  }
}
