import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { generateSecret, hashSecret } from '../../broker/credentials.ts';
import type { EmployeeCreate, EmployeeQuery, TerminalCreate } from '../api/dto.ts';
import { AppError } from '../errors.ts';
import type { Db } from '../repositories/db.ts';
import type { TerminalRepository } from '../repositories/terminal.repository.ts';
import { inScope, type Scope, scopedUnits } from './scope.ts';

export const DEFAULT_UNIT_ID = 'default';
export const DEFAULT_SITE_ID = 'default';

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'P2002';
}

/** Units, sites, employees and terminals. */
export class DirectoryService {
  constructor(
    private readonly db: Db,
    private readonly terminals: TerminalRepository,
    private readonly onEmployeesChanged: () => void = () => {},
  ) {}

  /** A first start gets a default unit and site so that an employee or a terminal can be created at once. */
  async ensureDefaults(timeZone = 'Asia/Jakarta'): Promise<void> {
    const { prisma } = this.db;
    await prisma.unit.upsert({
      where: { id: DEFAULT_UNIT_ID },
      update: {},
      create: { id: DEFAULT_UNIT_ID, name: 'Unit Utama' },
    });
    await prisma.site.upsert({
      where: { id: DEFAULT_SITE_ID },
      update: {},
      create: { id: DEFAULT_SITE_ID, name: 'Kantor Utama', timeZone },
    });
  }

  async createEmployee(input: z.infer<typeof EmployeeCreate>, scope: Scope) {
    const unitId = input.unitId ?? (scope.all ? DEFAULT_UNIT_ID : scope.unitIds[0]);
    if (!unitId || !inScope(scope, unitId))
      throw new AppError('FORBIDDEN', `unit ${unitId} is outside your scope`);
    const unit = await this.db.prisma.unit.findUnique({ where: { id: unitId } });
    if (!unit) throw new AppError('VALIDATION', `unknown unit ${unitId}`);
    try {
      const e = await this.db.prisma.employee.create({ data: { ...input, unitId } });
      this.onEmployeesChanged();
      return e;
    } catch (err) {
      if (isUniqueViolation(err))
        throw new AppError('CONFLICT', `employee ${input.nip} already exists`, { cause: err });
      throw err;
    }
  }

  listEmployees(q: z.infer<typeof EmployeeQuery>, scope: Scope) {
    const units = scopedUnits(scope, q.unitId);
    const unitFilter = units ? { unitId: { in: units } } : {};
    return this.db.prisma.employee.findMany({
      where: {
        ...unitFilter,
        ...(q.q ? { OR: [{ name: { contains: q.q } }, { nip: { startsWith: q.q } }] } : {}),
      },
      orderBy: { name: 'asc' },
      take: q.take,
    });
  }

  /** NIPs visible in this scope, or undefined for "all". */
  async employeeIdsInScope(scope: Scope): Promise<string[] | undefined> {
    if (scope.all) return undefined;
    const rows = await this.db.prisma.employee.findMany({
      where: { unitId: { in: scope.unitIds } },
      select: { nip: true },
    });
    return rows.map((r) => r.nip);
  }

  /** Registers a terminal; the secret is returned this once and only its SHA-256 is kept. */
  async registerTerminal(input: z.infer<typeof TerminalCreate>) {
    const siteId = input.siteId ?? DEFAULT_SITE_ID;
    const site = await this.db.prisma.site.findUnique({ where: { id: siteId } });
    if (!site) throw new AppError('VALIDATION', `unknown site ${siteId}`);
    const id = `k${randomBytes(6).toString('hex')}`;
    const secret = generateSecret();
    const t = await this.terminals.create({ id, name: input.name, siteId, secretHash: hashSecret(secret) });
    return { terminal: t, secret };
  }
}
