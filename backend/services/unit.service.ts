import { randomBytes } from 'node:crypto';
import type { Logger } from '../../lib/logger.ts';
import { slugOf } from '../domain/slug.ts';
import { ancestorIds, buildTree, moveProblem, subtreeIds } from '../domain/unit-tree.ts';
import { AppError } from '../errors.ts';
import type { UnitRepository, UnitRow, UnitUsage } from '../repositories/unit.repository.ts';
import { type Scope, scopeOf } from './scope.ts';
import type { Session } from './tokens.ts';
import type { UnitTreeService } from './unit-tree.service.ts';

export type UnitInput = {
  id?: string | undefined;
  name: string;
  parentId?: string | null | undefined;
  code?: string | null | undefined;
};
export type UnitPatch = {
  name?: string | undefined;
  parentId?: string | null | undefined;
  code?: string | null | undefined;
};

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'P2002';
}
function isForeignKeyViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'P2003';
}

const USAGE_LABELS: Record<keyof UnitUsage, string> = {
  subUnits: 'sub-units',
  employees: 'employees',
  users: 'admin users',
  scheduleAssignments: 'schedule assignments',
  dailyRecords: 'daily records',
  allowances: 'monthly allowances',
  disciplineCases: 'discipline cases',
  profileAssignments: 'policy profile assignments',
};

/**
 * The organisation's units as a tree. SUPERADMIN and BKD change any unit; an OPD admin the units
 * below their own (never their own unit, which only BKD moves or renames). A unit in use is
 * deactivated, never deleted.
 */
export class UnitService {
  /**
   * Tree changes of this process run one at a time: two moves checked against the same tree could
   * together make a cycle, and a unit could be created under a parent being deleted. (Another
   * backend instance's concurrent change is not covered; tree edits are rare admin work.)
   */
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repo: UnitRepository,
    private readonly tree: UnitTreeService,
    private readonly log: Logger,
  ) {}

  /** The units the caller sees (all, or their subtree), flat with parentId and depth, or nested. */
  async list(s: Session, opts: { tree: boolean; active?: boolean | undefined }) {
    const scope = scopeOf(s);
    const all = await this.repo.list();
    const visible = scope.all ? all : all.filter((u) => scope.unitIds.includes(u.id));
    const rows = opts.active === undefined ? visible : visible.filter((u) => u.active === opts.active);
    if (!opts.tree) return rows.map((u) => this.view(all, u));
    // The caller's roots: units whose parent they do not see.
    const ids = new Set(rows.map((u) => u.id));
    const roots = rows.filter((u) => u.parentId === null || !ids.has(u.parentId)).map((u) => u.id);
    return buildTree(
      rows.map((u) => this.view(all, u)),
      roots,
    );
  }

  async get(s: Session, id: string) {
    const all = await this.repo.list();
    const u = all.find((x) => x.id === id);
    if (!u || !this.sees(scopeOf(s), id)) throw new AppError('NOT_FOUND', `unit ${id} not found`);
    return { ...this.view(all, u), subUnitIds: subtreeIds(all, id).slice(1) };
  }

  create(s: Session, input: UnitInput) {
    return this.serial(() => this.createNow(s, input));
  }

  private async createNow(s: Session, input: UnitInput) {
    const all = await this.repo.list();
    const parentId = input.parentId ?? null;
    if (parentId !== null) {
      const parent = all.find((u) => u.id === parentId);
      if (!parent) throw new AppError('VALIDATION', `parentId: unknown unit ${parentId}`);
      if (!parent.active) throw new AppError('VALIDATION', `parentId: unit ${parentId} is deactivated`);
    }
    this.mayWriteUnder(s, parentId);
    const id = input.id ?? this.freeId(all, input.name);
    try {
      const u = await this.repo.create({ id, name: input.name, parentId, code: input.code ?? null });
      this.changed(s, 'unit created', { unitId: id, parentId });
      return this.view([...all, u], u);
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('CONFLICT', `unit ${id} already exists`, { cause: err });
      throw err;
    }
  }

  /** Renames and/or moves a unit (with its whole subtree). */
  update(s: Session, id: string, patch: UnitPatch) {
    return this.serial(() => this.updateNow(s, id, patch));
  }

  private async updateNow(s: Session, id: string, patch: UnitPatch) {
    const all = await this.repo.list();
    this.mayWrite(s, all, id);
    if (patch.parentId !== undefined) {
      const problem = moveProblem(all, id, patch.parentId);
      if (problem === 'UnknownParent')
        throw new AppError('VALIDATION', `parentId: unknown unit ${patch.parentId}`);
      if (problem === 'OwnParent')
        throw new AppError('VALIDATION', 'parentId: a unit cannot be its own parent');
      if (problem === 'Cycle') {
        throw new AppError(
          'VALIDATION',
          `parentId: ${patch.parentId} is below ${id}; the unit would become its own ancestor`,
        );
      }
      this.mayWriteUnder(s, patch.parentId);
    }
    const u = await this.repo.update(id, { name: patch.name, parentId: patch.parentId, code: patch.code });
    this.changed(s, 'unit changed', { unitId: id, ...patch });
    return this.view(await this.repo.list(), u);
  }

  /** Deactivates the unit and every unit below it: kept, with its history, but no new sub-units or users. */
  async deactivate(s: Session, id: string) {
    const all = await this.repo.list();
    this.mayWrite(s, all, id);
    const ids = subtreeIds(all, id);
    await this.repo.setActive(ids, false);
    this.changed(s, 'unit deactivated', { unitId: id, units: ids.length });
    return { ...(await this.get(s, id)), deactivated: ids };
  }

  /** Reactivates this unit only (its sub-units stay as they are); its parent must be active. */
  async reactivate(s: Session, id: string) {
    const all = await this.repo.list();
    const u = this.mayWrite(s, all, id);
    const parent = all.find((x) => x.id === u.parentId);
    if (parent && !parent.active) {
      throw new AppError('CONFLICT', `the parent unit ${parent.id} is deactivated: reactivate it first`);
    }
    await this.repo.setActive([id], true);
    this.changed(s, 'unit reactivated', { unitId: id });
    return this.get(s, id);
  }

  /** Deletes an unused unit; one still referred to is refused (409): deactivate it instead. */
  remove(s: Session, id: string): Promise<void> {
    return this.serial(() => this.removeNow(s, id));
  }

  private async removeNow(s: Session, id: string): Promise<void> {
    const all = await this.repo.list();
    this.mayWrite(s, all, id);
    const usage = await this.repo.usage(id);
    const used = (Object.keys(usage) as Array<keyof UnitUsage>).filter((k) => usage[k]);
    if (used.length > 0) {
      const what = used.map((k) => USAGE_LABELS[k]).join(', ');
      throw new AppError('CONFLICT', `unit ${id} is in use (it has ${what}): deactivate it instead`);
    }
    try {
      await this.repo.delete(id);
    } catch (err) {
      // Something this service does not count still refers to the unit.
      if (isForeignKeyViolation(err))
        throw new AppError('CONFLICT', `unit ${id} is in use: deactivate it instead`, { cause: err });
      throw err;
    }
    this.changed(s, 'unit deleted', { unitId: id });
  }

  /** The unit with its depth (0: an OPD, 1: a bidang, 2: a sub-bagian…). */
  private view(all: readonly UnitRow[], u: UnitRow) {
    return { ...u, depth: ancestorIds(all, u.id).length };
  }

  private sees(scope: Scope, id: string): boolean {
    return scope.all || scope.unitIds.includes(id);
  }

  /** The caller may change this unit: any for SUPERADMIN/BKD; for an OPD admin, strictly below their unit. */
  private mayWrite(s: Session, all: readonly UnitRow[], id: string): UnitRow {
    const u = all.find((x) => x.id === id);
    const scope = scopeOf(s);
    if (!u || !this.sees(scope, id)) throw new AppError('NOT_FOUND', `unit ${id} not found`);
    if (!scope.all && (s.role !== 'OPD_ADMIN' || id === s.unitId)) {
      throw new AppError('FORBIDDEN', `role ${s.role} may not change unit ${id}`);
    }
    return u;
  }

  /** The caller may put a unit under this parent (null: a new root, SUPERADMIN/BKD only). */
  private mayWriteUnder(s: Session, parentId: string | null): void {
    const scope = scopeOf(s);
    if (scope.all) return;
    if (s.role !== 'OPD_ADMIN') throw new AppError('FORBIDDEN', `role ${s.role} may not change units`);
    if (parentId === null || !scope.unitIds.includes(parentId)) {
      throw new AppError('FORBIDDEN', `parentId: unit ${parentId ?? '(none)'} is outside your scope`);
    }
  }

  private freeId(all: readonly UnitRow[], name: string): string {
    const base = slugOf(name, 'unit');
    const taken = new Set(all.map((u) => u.id));
    return taken.has(base) ? `${base}-${randomBytes(3).toString('hex')}` : base;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.last.then(fn, fn);
    this.last = run.catch(() => undefined);
    return run;
  }

  private changed(s: Session, msg: string, fields: object): void {
    this.tree.invalidate();
    this.log.info({ by: s.sub, ...fields }, msg);
  }
}
