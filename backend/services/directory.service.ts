import { randomBytes } from 'node:crypto';
import { generateSecret, hashSecret, secretMatches } from '../../broker/credentials.ts';
import type { TerminalCredential } from '../../broker/ports.ts';
import { localDateOf } from '../domain/index.ts';
import { AppError } from '../errors.ts';
import type { DirectoryRepository } from '../repositories/directory.repository.ts';
import type { SiteRepository } from '../repositories/site.repository.ts';
import type { TerminalRepository } from '../repositories/terminal.repository.ts';
import { inScope, type Scope, scopedUnits } from './scope.ts';

export const DEFAULT_UNIT_ID = 'default';
export const DEFAULT_SITE_ID = 'default';

export type EmployeeInput = {
  nip: string;
  name: string;
  kind: 'PNS' | 'PPPK';
  unitId?: string | undefined;
  active: boolean;
  startDate?: string | undefined;
  endDate?: string | undefined;
  endReason?: string | undefined;
  siteId?: string | undefined;
  superiorNip?: string | undefined;
  positionClass?: number | undefined;
  baseAmount?: number | undefined;
};
export type EmployeeListQuery = { unitId?: string | undefined; q?: string | undefined; take: number };
export type TerminalInput = { name: string; siteId?: string | undefined };

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'P2002';
}

/** Units, sites, employees and terminals. */
export class DirectoryService {
  constructor(
    private readonly repo: DirectoryRepository,
    private readonly sites: SiteRepository,
    private readonly terminals: TerminalRepository,
    private readonly onEmployeesChanged: () => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  /** A first start gets a default unit and site so that an employee or a terminal can be created at once. */
  async ensureDefaults(timeZone = 'Asia/Jakarta'): Promise<void> {
    await this.repo.ensureUnit(DEFAULT_UNIT_ID, 'Unit Utama');
    await this.sites.ensure(DEFAULT_SITE_ID, 'Kantor Utama', timeZone);
  }

  async createEmployee(input: EmployeeInput, scope: Scope) {
    const unitId = input.unitId ?? (scope.all ? DEFAULT_UNIT_ID : scope.unitIds[0]);
    if (!unitId || !inScope(scope, unitId))
      throw new AppError('FORBIDDEN', `unit ${unitId} is outside your scope`);
    const unit = await this.repo.findUnit(unitId);
    if (!unit) throw new AppError('VALIDATION', `unitId: unknown unit ${unitId}`);
    if (!unit.active) throw new AppError('VALIDATION', `unitId: unit ${unitId} is deactivated`);
    const site = await this.sites.find(input.siteId ?? DEFAULT_SITE_ID);
    if (input.siteId && !site) throw new AppError('VALIDATION', `siteId: unknown site ${input.siteId}`);
    if (input.superiorNip) {
      // Outside the caller's scope reads as unknown: the answer must not tell which NIPs exist.
      const supUnit = input.superiorNip === input.nip ? null : await this.repo.unitOf(input.superiorNip);
      if (!supUnit || !inScope(scope, supUnit))
        throw new AppError('VALIDATION', 'superiorNip: no such employee in your scope');
    }
    // No start given: the employee starts today (their site's zone), not on every earlier day.
    const today = localDateOf(this.now(), site?.timeZone ?? 'Asia/Jakarta');
    const startDate = input.startDate ?? today;
    if (input.endDate !== undefined && input.endDate < startDate)
      throw new AppError('VALIDATION', `endDate: ${input.endDate} is before the start date ${startDate}`);
    try {
      const active = input.active && (input.endDate === undefined || input.endDate >= today);
      const e = await this.repo.createEmployee({ ...input, unitId, startDate, active });
      this.onEmployeesChanged();
      return e;
    } catch (err) {
      if (isUniqueViolation(err))
        throw new AppError('CONFLICT', `employee ${input.nip} already exists`, { cause: err });
      throw err;
    }
  }

  listEmployees(q: EmployeeListQuery, scope: Scope) {
    return this.repo.listEmployees({ unitIds: scopedUnits(scope, q.unitId), q: q.q, take: q.take });
  }

  /** NIPs visible in this scope, or undefined for "all". */
  async employeeIdsInScope(scope: Scope): Promise<string[] | undefined> {
    if (scope.all) return undefined;
    return this.repo.nipsInUnits(scope.unitIds);
  }

  /** An employee's unit (null: no such employee), for the gallery's scope checks. */
  unitOf(nip: string): Promise<string | null> {
    return this.repo.unitOf(nip);
  }

  /** Registers a terminal; the secret is returned this once and only its SHA-256 is kept. */
  async registerTerminal(input: TerminalInput) {
    const siteId = input.siteId ?? DEFAULT_SITE_ID;
    const site = await this.sites.find(siteId);
    if (!site) throw new AppError('VALIDATION', `siteId: unknown site ${siteId}`);
    // A deactivated site takes no new kiosk; the kiosks it has keep working.
    if (!site.active) throw new AppError('CONFLICT', `site ${siteId} is deactivated: it takes no new kiosk`);
    const id = `k${randomBytes(6).toString('hex')}`;
    const secret = generateSecret();
    const t = await this.terminals.create({ id, name: input.name, siteId, secretHash: hashSecret(secret) });
    return { terminal: t, secret };
  }

  /**
   * Terminals with their online state and last status (parsed). An OPD admin sees the kiosks of the
   * sites where the employees of their units work (their home site; none: the default site), the
   * kiosks their people punch at; BKD and super admins see all.
   */
  async listTerminals(scope: Scope = { all: true }) {
    const siteIds = scope.all ? undefined : await this.repo.siteIdsOfUnits(scope.unitIds, DEFAULT_SITE_ID);
    const list = await this.terminals.list(siteIds);
    return list.map((t) => ({
      ...t,
      lastStatus: parseStatus(t.lastStatus),
    }));
  }

  /** A kiosk's own MQTT credentials, checked as the broker checks them; null when they do not fit. */
  async authenticateTerminal(id: string, secret: string): Promise<TerminalCredential | null> {
    const t = await this.terminals.findTerminal(id);
    return t?.active && secretMatches(secret, t.secretHash) ? t : null;
  }
}

/** A stored status; a row written before statuses were validated may not parse: shown as none. */
function parseStatus(json: string | null): unknown {
  if (!json) return null;
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return null;
  }
}
