import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.ts';
import { AppError } from '../errors.ts';
import type { AdminUserRepository } from '../repositories/admin-user.repository.ts';
import type { LoginThrottle } from './login-throttle.service.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import type { Role, Session, TokenService } from './tokens.ts';
import type { UnitTreeService } from './unit-tree.service.ts';

export class AuthService {
  // Compared against when the user does not exist, so both paths cost one scrypt.
  private dummyHash: Promise<string> | undefined;

  constructor(
    private readonly users: AdminUserRepository,
    private readonly tokens: TokenService,
    private readonly log: Logger,
    /** Expands an OPD admin's or supervisor's unit to its subtree; without it they see their unit only. */
    private readonly tree?: UnitTreeService,
    /** Failed-login counting and lockout (login-throttle.service.ts); none = unlimited (unit tests). */
    private readonly throttle?: LoginThrottle,
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

  /**
   * A login from `ip`: refused with 429 while the username or the address is locked (before any
   * password check), then one scrypt whether the user exists or not; a failure is counted, a
   * success clears the username's count.
   */
  async login(username: string, password: string, ip?: string) {
    await this.throttle?.check(username, ip);
    const u = await this.users.findByUsername(username);
    let ok: boolean;
    if (!u) {
      this.dummyHash ??= hashPassword(randomUUID());
      await verifyPassword(password, await this.dummyHash);
      ok = false;
    } else {
      ok = await verifyPassword(password, u.passwordHash);
    }
    if (!u || !ok) {
      await this.throttle?.failed(username, ip);
      throw new AppError('BAD_CREDENTIALS');
    }
    await this.throttle?.succeeded(username);
    // Told only to whoever knows the password.
    if (!u.active) throw new AppError('UNAUTHENTICATED', 'this account is disabled');
    return this.issue(u);
  }

  /** A token for the user as stored now (their current token version). */
  private issue(u: {
    id: string;
    username: string;
    role: string;
    unitId: string | null;
    tokenVersion: number;
  }) {
    const user = { sub: u.id, username: u.username, role: u.role as Role, unitId: u.unitId };
    return { token: this.tokens.issue({ ...user, ver: u.tokenVersion }), user };
  }

  /**
   * The caller of a request: the token's signature and expiry, then the user's row (one primary-key
   * read): a deleted or disabled user, or a token older than the user's last revocation (password
   * change, disable), is refused at once. Role and unit are the row's; an OPD admin's or a
   * supervisor's scope is their unit's subtree.
   */
  async authenticate(bearer: string | undefined): Promise<Session> {
    const claims = bearer ? this.tokens.verify(bearer) : null;
    if (!claims) throw new AppError('UNAUTHENTICATED');
    const u = await this.users.findForAuth(claims.sub);
    if (!u?.active || u.tokenVersion !== claims.ver) {
      throw new AppError('UNAUTHENTICATED', 'this session is no longer valid: log in again');
    }
    const session: Session = { ...claims, username: u.username, role: u.role as Role, unitId: u.unitId };
    if ((session.role === 'OPD_ADMIN' || session.role === 'SUPERVISOR') && u.unitId && this.tree) {
      session.scopeUnitIds = await this.tree.subtreeOf(u.unitId);
    }
    return session;
  }

  /** Changes the caller's own password: every other session of theirs ends; this one gets a fresh token. */
  async changeOwnPassword(s: Session, currentPassword: string, newPassword: string) {
    const u = await this.users.findWithHash(s.sub);
    if (!u) throw new AppError('UNAUTHENTICATED');
    if (!(await verifyPassword(currentPassword, u.passwordHash))) {
      throw new AppError('VALIDATION', 'currentPassword: wrong password');
    }
    if (currentPassword === newPassword) {
      throw new AppError('VALIDATION', 'newPassword: must differ from the current password');
    }
    const updated = await this.users.update(s.sub, { passwordHash: await hashPassword(newPassword) }, true);
    this.log.info({ userId: s.sub }, 'password changed; earlier sessions revoked');
    return this.issue(updated);
  }
}
