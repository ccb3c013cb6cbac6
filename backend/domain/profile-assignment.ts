/**
 * Policy profiles per unit (issue #11, point 5): a profile lineage is assigned to a unit from a date
 * (to a date, or open-ended) and holds for the unit's sub-units too, unless one of them has an
 * assignment of its own, so two agencies or regions with different governor's regulations coexist
 * in one installation.
 *
 * Resolution for one employee's work date, from the unit the employee belongs to on that date:
 * walk the unit chain (the unit, its parent, … the root) and take the nearest unit with an
 * assignment in force on that date whose lineage has a version in force then; the profile is that
 * version. No such assignment anywhere up the tree: the region-wide default, the newest version in
 * force among the lineages assigned to no unit (the behaviour before assignments existed; the
 * shipped `default` lineage always counts among them, even when some unit is given it explicitly).
 */
import type { Outcome } from './domain-error.ts';
import { type IsoDate, type IsoMonth, isIsoDate, lastDateOfMonth } from './local-date.ts';
import { DEFAULT_POLICY_PROFILE, type PolicyProfile, selectProfile } from './policy-profile.ts';

export interface ProfileAssignment {
  id: string;
  unitId: string;
  /** The profile's lineage id: the version in force on each date applies. */
  profileId: string;
  effectiveFrom: IsoDate;
  /** Last date it applies to (inclusive); null = open-ended. */
  effectiveTo: IsoDate | null;
}

export interface ResolvedProfile {
  profile: PolicyProfile;
  /** The unit whose assignment applies (the employee's own or an ancestor); null = the default. */
  unitId: string | null;
  /** The assignment that applies; null = the region-wide default. */
  assignmentId: string | null;
}

/** Profiles and assignments indexed once per rules context. */
export interface ProfileIndex {
  byLineage: ReadonlyMap<string, readonly PolicyProfile[]>;
  byUnit: ReadonlyMap<string, readonly ProfileAssignment[]>;
  /** Versions of the lineages that apply where no assignment does. */
  regionWide: readonly PolicyProfile[];
}

export function assignmentInForce(
  a: Pick<ProfileAssignment, 'effectiveFrom' | 'effectiveTo'>,
  date: IsoDate,
) {
  return a.effectiveFrom <= date && (a.effectiveTo === null || date <= a.effectiveTo);
}

/** Two periods (inclusive, null = open-ended) share at least one date. */
export function periodsOverlap(
  a: Pick<ProfileAssignment, 'effectiveFrom' | 'effectiveTo'>,
  b: Pick<ProfileAssignment, 'effectiveFrom' | 'effectiveTo'>,
): boolean {
  return (
    (a.effectiveTo === null || b.effectiveFrom <= a.effectiveTo) &&
    (b.effectiveTo === null || a.effectiveFrom <= b.effectiveTo)
  );
}

export function indexProfiles(
  profiles: readonly PolicyProfile[],
  assignments: readonly ProfileAssignment[],
): ProfileIndex {
  const byLineage = new Map<string, PolicyProfile[]>();
  for (const p of profiles) {
    const list = byLineage.get(p.id);
    if (list) list.push(p);
    else byLineage.set(p.id, [p]);
  }
  const byUnit = new Map<string, ProfileAssignment[]>();
  const assigned = new Set<string>();
  for (const a of assignments) {
    assigned.add(a.profileId);
    const list = byUnit.get(a.unitId);
    if (list) list.push(a);
    else byUnit.set(a.unitId, [a]);
  }
  assigned.delete(DEFAULT_POLICY_PROFILE.id);
  let regionWide = profiles.filter((p) => !assigned.has(p.id));
  if (regionWide.length === 0) regionWide = [DEFAULT_POLICY_PROFILE];
  return { byLineage, byUnit, regionWide };
}

/** The newest version of a lineage in force on a date, or null when none is yet. */
function versionInForce(versions: readonly PolicyProfile[] | undefined, date: IsoDate): PolicyProfile | null {
  if (!versions) return null;
  let best: PolicyProfile | null = null;
  for (const p of versions) {
    if (p.effectiveFrom > date) continue;
    if (
      !best ||
      p.effectiveFrom > best.effectiveFrom ||
      (p.effectiveFrom === best.effectiveFrom && p.version > best.version)
    ) {
      best = p;
    }
  }
  return best;
}

/**
 * The profile of a work date for an employee whose unit chain on that date is `chain` (the unit
 * first, then its parents up to the root).
 */
export function resolveProfile(
  index: ProfileIndex,
  chain: readonly string[],
  date: IsoDate,
): ResolvedProfile {
  for (const unitId of chain) {
    const list = index.byUnit.get(unitId);
    if (!list) continue;
    for (const a of list) {
      if (!assignmentInForce(a, date)) continue;
      const profile = versionInForce(index.byLineage.get(a.profileId), date);
      if (profile) return { profile, unitId, assignmentId: a.id };
    }
  }
  return { profile: selectProfile(index.regionWide, date), unitId: null, assignmentId: null };
}

export type AssignmentCandidate = {
  unitId: string;
  profileId: string;
  effectiveFrom: string;
  effectiveTo?: string | null | undefined;
};

/**
 * May this assignment be added? Each issue names its field: an unknown unit or profile, a bad date,
 * an end before the start, a start before the profile's first version, a start in or before a
 * locked month (an assignment never rewrites a locked month), or a period overlapping another
 * assignment of the same unit.
 */
export function checkProfileAssignment(
  c: AssignmentCandidate,
  known: {
    unitExists: boolean;
    /** Versions of the candidate's lineage (empty: unknown profile). */
    versions: readonly PolicyProfile[];
    /** The unit's assignments so far. */
    existing: readonly ProfileAssignment[];
    lockedMonths: readonly IsoMonth[];
  },
): Outcome<Omit<ProfileAssignment, 'id'>> {
  const issues: string[] = [];
  if (!known.unitExists) issues.push(`unitId: no unit ${c.unitId}`);
  if (known.versions.length === 0) issues.push(`profileId: no policy profile ${c.profileId}`);
  const from = isIsoDate(c.effectiveFrom) ? c.effectiveFrom : null;
  if (!from) issues.push('effectiveFrom: must be a valid date YYYY-MM-DD');
  const to = c.effectiveTo ?? null;
  if (to !== null && !isIsoDate(to)) issues.push('effectiveTo: must be a valid date YYYY-MM-DD');
  else if (to !== null && from && to < from) issues.push('effectiveTo: must not be before effectiveFrom');
  if (issues.length > 0 || !from) return { ok: false, issues };
  const first = known.versions.map((v) => v.effectiveFrom).sort()[0] as IsoDate;
  if (from < first) {
    issues.push(`effectiveFrom: profile ${c.profileId} is only in force from ${first}`);
  }
  const locked = known.lockedMonths.filter((m) => from <= lastDateOfMonth(m)).sort();
  if (locked.length > 0) {
    issues.push(`effectiveFrom: ${from} falls on or before locked month ${locked.at(-1)}`);
  }
  const value = { unitId: c.unitId, profileId: c.profileId, effectiveFrom: from, effectiveTo: to };
  const clash = known.existing.find((a) => a.unitId === c.unitId && periodsOverlap(a, value));
  if (clash) {
    issues.push(
      `effectiveFrom: overlaps assignment ${clash.id} of unit ${c.unitId} (${clash.effectiveFrom} to ${clash.effectiveTo ?? 'open'})`,
    );
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value };
}
