/** Policy profiles per unit: resolution up the unit tree by date, the default, and the checks. */
import { describe, expect, it } from 'vitest';
import { subtree } from '../../backend/attendance/profile-assignment.service.ts';
import { profileFor } from '../../backend/attendance/profile-resolution.ts';
import type { RulesContext } from '../../backend/attendance/rules-context.ts';
import {
  checkProfileAssignment,
  DEFAULT_OFFICE_SCHEDULE,
  DEFAULT_POLICY_PROFILE,
  DEFAULT_SCHEDULE_ID,
  type IsoDate,
  indexProfiles,
  monthCloser,
  type PolicyProfile,
  type ProfileAssignment,
  periodsOverlap,
  resolveProfile,
} from '../../backend/domain/index.ts';

const lineage = (id: string, version: number, effectiveFrom: string, tkBp: number): PolicyProfile => ({
  ...DEFAULT_POLICY_PROFILE,
  id,
  version,
  effectiveFrom,
  absent: { code: 'TK', deductionBp: tkBp },
});
const B1 = lineage('pergub-b', 1, '2026-01-01', 500);
const B2 = lineage('pergub-b', 2, '2026-11-20', 450);
const C1 = lineage('perbup-c', 1, '2026-06-01', 400);
const assign = (id: string, unitId: string, profileId: string, from: string, to: string | null = null) =>
  ({ id, unitId, profileId, effectiveFrom: from, effectiveTo: to }) as ProfileAssignment;

describe('resolving a unit’s profile', () => {
  const index = indexProfiles(
    [DEFAULT_POLICY_PROFILE, B1, B2, C1],
    [assign('a1', 'dinas-b', 'pergub-b', '2026-11-15'), assign('a2', 'bidang-b1', 'default', '2026-11-24')],
  );
  const of = (chain: string[], date: string) => {
    const r = resolveProfile(index, chain, date as IsoDate);
    return [`${r.profile.id}@${r.profile.version}`, r.unitId, r.assignmentId];
  };

  it('takes the nearest unit up the chain with an assignment in force, from its first date on', () => {
    expect(of(['dinas-b'], '2026-11-14')).toEqual(['perbup-c@1', null, null]);
    expect(of(['dinas-b'], '2026-11-15')).toEqual(['pergub-b@1', 'dinas-b', 'a1']);
    // A sub-unit inherits, until its own assignment starts.
    expect(of(['bidang-b1', 'dinas-b'], '2026-11-18')).toEqual(['pergub-b@1', 'dinas-b', 'a1']);
    expect(of(['bidang-b1', 'dinas-b'], '2026-11-24')).toEqual(['default@1', 'bidang-b1', 'a2']);
    // The version of the lineage in force on the day.
    expect(of(['dinas-b'], '2026-11-20')).toEqual(['pergub-b@2', 'dinas-b', 'a1']);
  });

  it('gives a unit without an assignment up the tree the region-wide default, never an assigned lineage', () => {
    // perbup-c is assigned to nobody: region-wide from its date, as before assignments existed.
    expect(of(['dinas-a'], '2026-05-31')).toEqual(['default@1', null, null]);
    expect(of(['dinas-a'], '2026-11-18')).toEqual(['perbup-c@1', null, null]);
    expect(of([], '2026-11-18')).toEqual(['perbup-c@1', null, null]);
    // Only the shipped default when every other lineage is assigned somewhere.
    const only = indexProfiles(
      [DEFAULT_POLICY_PROFILE, B1],
      [assign('x', 'dinas-b', 'pergub-b', '2026-01-01')],
    );
    expect(resolveProfile(only, ['dinas-a'], '2026-11-18').profile).toBe(DEFAULT_POLICY_PROFILE);
  });

  it('ends an assignment after its last date, and skips one whose lineage is not in force yet', () => {
    const index2 = indexProfiles(
      [DEFAULT_POLICY_PROFILE, B1, C1],
      [
        assign('b', 'dinas-b', 'pergub-b', '2026-02-01', '2026-03-31'),
        assign('c', 'bidang-b1', 'perbup-c', '2026-01-01'),
      ],
    );
    const at = (chain: string[], d: string) => resolveProfile(index2, chain, d as IsoDate).assignmentId;
    expect(at(['dinas-b'], '2026-01-31')).toBe(null);
    expect(at(['dinas-b'], '2026-03-31')).toBe('b');
    expect(at(['dinas-b'], '2026-04-01')).toBe(null);
    // perbup-c has no version before June: the parent's assignment applies meanwhile.
    expect(at(['bidang-b1', 'dinas-b'], '2026-03-01')).toBe('b');
    expect(at(['bidang-b1', 'dinas-b'], '2026-06-01')).toBe('c');
  });

  it('resolves through the rules context’s unit tree, and the month close uses it per employee', () => {
    const ctx = {
      profiles: [DEFAULT_POLICY_PROFILE, B1],
      profileAssignments: [assign('a1', 'dinas-b', 'pergub-b', '2026-11-15')],
      unitParents: new Map([
        ['bidang-b1', 'dinas-b'],
        ['dinas-b', 'prov'],
        ['dinas-a', 'prov'],
      ]),
    } as unknown as RulesContext;
    expect(profileFor(ctx, 'bidang-b1', '2026-11-18')).toMatchObject({ unitId: 'dinas-b', profile: B1 });
    expect(profileFor(ctx, 'dinas-a', '2026-11-18')).toMatchObject({ unitId: null });
    expect(
      subtree(
        [...ctx.unitParents].map(([id, parentId]) => ({ id, parentId })),
        'dinas-b',
      ),
    ).toEqual(['dinas-b', 'bidang-b1']);

    // Absent all month: TK at the default 3 % before the 15th, pergub-b's 5 % from it.
    const close = monthCloser({
      month: '2026-11',
      schedules: [DEFAULT_OFFICE_SCHEDULE],
      calendar: { holidays: [], specialPeriods: [] },
      profiles: (d) => profileFor(ctx, null, d).profile,
    });
    const employee = (id: string, unitId?: string) => ({
      employeeId: id,
      baseAmount: 1_000_000,
      timeZone: 'Asia/Jakarta',
      scheduleId: DEFAULT_SCHEDULE_ID,
      punches: [],
      ...(unitId ? { profiles: (d: IsoDate) => profileFor(ctx, unitId, d).profile } : {}),
    });
    const inB = close(employee('b', 'bidang-b1'));
    const tk = (r: typeof inB) => (r.days ?? []).filter((d) => d.status === 'Absent');
    expect(
      new Set(tk(inB).map((d) => `${d.workDate < '2026-11-15'}:${d.profile.id}:${d.deductionBp}`)),
    ).toEqual(new Set(['true:default:300', 'false:pergub-b:500']));
    expect(inB.allowance.totalBp).toBe(10 * 300 + 11 * 500);
    expect(inB.allowance.lines.find((l) => l.date === '2026-11-16')?.profile).toEqual({
      id: 'pergub-b',
      version: 1,
    });
    const inA = close(employee('a'));
    expect(tk(inA).every((d) => d.profile.id === 'default' && d.deductionBp === 300)).toBe(true);
    expect(inA.allowance.totalBp).toBe(21 * 300);
  });
});

describe('checking an assignment', () => {
  const known = {
    unitExists: true,
    versions: [B1, B2],
    existing: [assign('a1', 'dinas-b', 'pergub-b', '2026-11-15', '2026-12-31')],
    lockedMonths: ['2026-09'],
  };
  const issues = (c: object, k: Partial<typeof known> = {}) => {
    const r = checkProfileAssignment(
      { unitId: 'dinas-b', profileId: 'pergub-b', effectiveFrom: '2027-01-01', ...c },
      { ...known, ...k },
    );
    return r.ok ? [] : r.issues;
  };

  it('accepts a period next to another one of the same unit', () => {
    expect(issues({})).toEqual([]);
    expect(issues({ effectiveFrom: '2026-10-01', effectiveTo: '2026-11-14' })).toEqual([]);
    expect(issues({ unitId: 'dinas-a', effectiveFrom: '2026-11-15' })).toEqual([]);
  });

  it('names the field of each mistake', () => {
    expect(issues({}, { unitExists: false })).toEqual(['unitId: no unit dinas-b']);
    expect(issues({}, { versions: [] })).toEqual(['profileId: no policy profile pergub-b']);
    expect(issues({ effectiveFrom: '2026-02-30' })[0]).toMatch(/^effectiveFrom: must be a valid date/);
    expect(issues({ effectiveTo: '2026-12-31' })).toEqual(['effectiveTo: must not be before effectiveFrom']);
    expect(issues({ effectiveFrom: '2025-12-01', effectiveTo: '2025-12-31' }, { lockedMonths: [] })).toEqual([
      'effectiveFrom: profile pergub-b is only in force from 2026-01-01',
    ]);
    expect(issues({ effectiveFrom: '2026-09-30', effectiveTo: '2026-10-31' })).toEqual([
      'effectiveFrom: 2026-09-30 falls on or before locked month 2026-09',
    ]);
    expect(issues({ effectiveFrom: '2026-12-31' })[0]).toMatch(/^effectiveFrom: overlaps assignment a1/);
  });

  it('compares periods inclusively, open ends included', () => {
    const p = (from: string, to: string | null) => ({
      effectiveFrom: from as IsoDate,
      effectiveTo: to as IsoDate,
    });
    expect(periodsOverlap(p('2026-01-01', '2026-01-31'), p('2026-01-31', null))).toBe(true);
    expect(periodsOverlap(p('2026-01-01', '2026-01-31'), p('2026-02-01', null))).toBe(false);
    expect(periodsOverlap(p('2026-03-01', null), p('2026-01-01', '2026-02-28'))).toBe(false);
    expect(periodsOverlap(p('2026-03-01', null), p('2026-01-01', null))).toBe(true);
  });
});
