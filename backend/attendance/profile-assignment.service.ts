/**
 * Policy profiles per unit (issue #11, point 5): assigning a profile lineage to a unit from a date,
 * removing an assignment, and which profile applies to a unit on a date. An assignment holds for
 * the unit's sub-units too; resolution is profile-resolution.ts. Adding or removing one recomputes
 * the days it affects: the stored days of the unit's subtree from its effective date, and the
 * recent days (RETRO_DAYS) of the subtree's employees. Like a profile version, an assignment may
 * not reach into a locked month: it never rewrites one.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger.ts';
import {
  checkProfileAssignment,
  type IsoDate,
  lastDateOfMonth,
  type PolicyProfile,
  policyProfileSchema,
} from '../domain/index.ts';
import { AppError } from '../errors.ts';
import type { AllowanceRepository } from './allowance.repository.ts';
import { markRecent } from './calendar.service.ts';
import type {
  ProfileAssignmentRepository,
  StoredProfileAssignment,
} from './profile-assignment.repository.ts';
import { profileFor } from './profile-resolution.ts';
import type { RecomputeService } from './recompute.service.ts';
import type { RulesConfigRepository } from './rules-config.repository.ts';
import type { RulesContextService } from './rules-context.service.ts';
import { todayIn } from './rules-context.ts';

export type AssignmentView = {
  id: string;
  unitId: string;
  profileId: string;
  effectiveFrom: string;
  effectiveTo: string | null;
  createdBy: string;
  createdAt: string;
};

export type UnitProfileView = {
  unitId: string;
  date: string;
  profile: { id: string; version: number; name: string; effectiveFrom: string; legalBasis: string };
  /** 'Assignment': from the unit's own assignment or an ancestor's; 'Default': none up the tree. */
  source: 'Assignment' | 'Default';
  /** The unit whose assignment applies (this one or an ancestor); null for the default. */
  inheritedFrom: string | null;
  assignmentId: string | null;
};

export type AssignmentInput = {
  unitId: string;
  profileId: string;
  effectiveFrom: string;
  effectiveTo?: string | null | undefined;
};

const view = (a: StoredProfileAssignment): AssignmentView => ({
  id: a.id,
  unitId: a.unitId,
  profileId: a.profileId,
  effectiveFrom: a.effectiveFrom,
  effectiveTo: a.effectiveTo,
  createdBy: a.createdBy,
  createdAt: a.createdAt.toISOString(),
});

export class ProfileAssignmentService {
  constructor(
    private readonly o: {
      assignments: ProfileAssignmentRepository;
      config: RulesConfigRepository;
      context: RulesContextService;
      allowances: AllowanceRepository;
      recompute: RecomputeService;
      log: Logger;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  async list(unitId?: string): Promise<AssignmentView[]> {
    return (await this.o.assignments.list(unitId ? [unitId] : undefined)).map(view);
  }

  async create(input: AssignmentInput, by: string): Promise<AssignmentView> {
    const [unitExists, versions, existing, lockedMonths] = await Promise.all([
      this.o.assignments.unitExists(input.unitId),
      this.versionsOf(input.profileId),
      this.o.assignments.list([input.unitId]),
      this.o.allowances.lockedMonths(),
    ]);
    const checked = checkProfileAssignment(input, { unitExists, versions, existing, lockedMonths });
    if (!checked.ok) throw new AppError('VALIDATION', checked.issues.join('; '));
    // A lineage assigned for the first time stops being a candidate for the region-wide default.
    const firstOfLineage = (await this.lineageAssignments(input.profileId)).length === 0;
    const saved = await this.o.assignments.insert({ id: randomUUID(), ...checked.value, createdBy: by });
    this.o.log.info(
      { id: saved.id, unitId: saved.unitId, profileId: saved.profileId, from: saved.effectiveFrom, by },
      'policy profile assigned to a unit',
    );
    await this.recomputeAffected(saved, firstOfLineage ? lineageStart(versions) : null);
    return view(saved);
  }

  /** Removes an assignment (returned as it was); refused when it has applied to a locked month. */
  async remove(id: string, by: string): Promise<AssignmentView> {
    const a = await this.o.assignments.find(id);
    if (!a) throw new AppError('NOT_FOUND', `no profile assignment ${id}`);
    const locked = (await this.o.allowances.lockedMonths())
      .filter((m) => a.effectiveFrom <= lastDateOfMonth(m))
      .sort();
    if (locked.length > 0) {
      throw new AppError(
        'CONFLICT',
        `profile assignment ${id} has applied since ${a.effectiveFrom}, in locked month ${locked.at(-1)}`,
      );
    }
    await this.o.assignments.delete(id);
    this.o.log.info({ id, unitId: a.unitId, profileId: a.profileId, by }, 'profile assignment removed');
    // The lineage's last assignment gone, it is a candidate for the region-wide default again.
    const lastOfLineage = (await this.lineageAssignments(a.profileId)).length === 0;
    await this.recomputeAffected(a, lastOfLineage ? lineageStart(await this.versionsOf(a.profileId)) : null);
    return view(a);
  }

  /** Which profile applies to a unit's employees on a date, and the unit it is inherited from. */
  async unitProfile(unitId: string, on: IsoDate | undefined): Promise<UnitProfileView> {
    if (!(await this.o.assignments.unitExists(unitId))) throw new AppError('NOT_FOUND', `no unit ${unitId}`);
    const date = on ?? todayIn('Asia/Jakarta', this.now());
    const ctx = await this.o.context.load();
    const r = profileFor(ctx, unitId, date);
    const p = r.profile;
    return {
      unitId,
      date,
      profile: {
        id: p.id,
        version: p.version,
        name: p.name,
        effectiveFrom: p.effectiveFrom,
        legalBasis: p.legalBasis,
      },
      source: r.unitId === null ? 'Default' : 'Assignment',
      inheritedFrom: r.unitId,
      assignmentId: r.assignmentId,
    };
  }

  private async versionsOf(profileId: string): Promise<PolicyProfile[]> {
    const rows = (await this.o.config.profiles()).filter((r) => r.id === profileId);
    return rows.flatMap((r) => {
      const parsed = policyProfileSchema.safeParse(JSON.parse(r.definition));
      return parsed.success ? [parsed.data] : [];
    });
  }

  private async lineageAssignments(profileId: string): Promise<StoredProfileAssignment[]> {
    return (await this.o.assignments.list()).filter((a) => a.profileId === profileId);
  }

  /**
   * Marks the days whose profile the assignment decides: stored days of the unit's subtree in its
   * period, and the recent days of the subtree's current employees (the day-close job's window).
   * `regionFrom`: the lineage joined or left the region-wide default, which changes every unit's
   * days from that date.
   */
  private async recomputeAffected(a: StoredProfileAssignment, regionFrom: IsoDate | null): Promise<void> {
    const units = regionFrom === null ? subtree(await this.o.config.units(), a.unitId) : undefined;
    const from = regionFrom !== null && regionFrom < a.effectiveFrom ? regionFrom : a.effectiveFrom;
    const until = regionFrom === null ? a.effectiveTo : null;
    const today = todayIn('Asia/Jayapura', this.now()); // the easternmost zone: no site is ahead of it
    const to = until !== null && until < today ? until : today;
    if (from <= to) {
      const stored = await this.o.assignments.storedDays(units, from, to);
      const byEmployee = new Map<string, IsoDate[]>();
      for (const d of stored) {
        const list = byEmployee.get(d.employeeId);
        if (list) list.push(d.workDate);
        else byEmployee.set(d.employeeId, [d.workDate]);
      }
      if (byEmployee.size > 0) {
        this.o.recompute.mark([...byEmployee].map(([employeeId, dates]) => ({ employeeId, dates })));
      }
    }
    markRecent(this.o.recompute, await this.o.config.activeEmployees(units), from, until, this.now());
  }
}

function lineageStart(versions: readonly PolicyProfile[]): IsoDate | null {
  return (versions.map((v) => v.effectiveFrom).sort()[0] as IsoDate | undefined) ?? null;
}

/** A unit and every unit below it (cycles cut). */
export function subtree(
  units: ReadonlyArray<{ id: string; parentId: string | null }>,
  root: string,
): string[] {
  const children = new Map<string, string[]>();
  for (const u of units) {
    if (u.parentId === null) continue;
    const list = children.get(u.parentId);
    if (list) list.push(u.id);
    else children.set(u.parentId, [u.id]);
  }
  const out = [root];
  const seen = new Set(out);
  for (let i = 0; i < out.length; i++) {
    for (const c of children.get(out[i] as string) ?? []) {
      if (!seen.has(c)) {
        seen.add(c);
        out.push(c);
      }
    }
  }
  return out;
}
