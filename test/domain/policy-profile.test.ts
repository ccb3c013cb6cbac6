import { describe, expect, it } from 'vitest';
import {
  bracketFor,
  checkProfileChange,
  DEFAULT_POLICY_PROFILE,
  DomainError,
  parsePolicyProfile,
  selectProfile,
} from '../../backend/domain/index.ts';
import { profileWith } from './helpers.ts';

describe('policy profile schema', () => {
  it('the default profile is plain JSON and valid', () => {
    const json = JSON.parse(JSON.stringify(DEFAULT_POLICY_PROFILE));
    const parsed = parsePolicyProfile(json);
    expect(parsed).toEqual({ ok: true, value: DEFAULT_POLICY_PROFILE });
    expect(Object.isFrozen(DEFAULT_POLICY_PROFILE.late.brackets[0])).toBe(true);
  });

  it('holds every number of RULES.md', () => {
    const p = DEFAULT_POLICY_PROFILE;
    expect(p.late.brackets.map((b) => [b.code, b.fromMinutes, b.toMinutes, b.deductionBp])).toEqual([
      ['TL1', 1, 30, 50],
      ['TL2', 31, 60, 100],
      ['TL3', 61, 90, 125],
      ['TL4', 91, null, 150],
    ]);
    expect(p.early.brackets.map((b) => [b.code, b.deductionBp])).toEqual([
      ['PSW1', 50],
      ['PSW2', 100],
      ['PSW3', 125],
      ['PSW4', 150],
    ]);
    expect([p.missingClockIn, p.missingClockOut, p.absent]).toEqual([
      { code: 'TL4', deductionBp: 150 },
      { code: 'PSW4', deductionBp: 150 },
      { code: 'TK', deductionBp: 300 },
    ]);
    expect(p.monthlyCapBp).toBe(10_000);
  });

  it('lists every issue of a bad profile', () => {
    const bad = profileWith((p) => {
      const b = p.late.brackets[1];
      if (b) b.fromMinutes = 35;
      const last = p.early.brackets[3];
      if (last) last.toMinutes = 500;
      p.absent.deductionBp = 10.5;
      p.effectiveFrom = '2024-02-30';
      p.leaveRules.push({ kind: 'AnnualLeave', code: 'X', deductionBp: 0, documentRequiredAfterDays: null });
    });
    const parsed = parsePolicyProfile(bad);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^effectiveFrom: /),
        expect.stringMatching(/^absent\.deductionBp: /),
      ]),
    );
    expect(parsePolicyProfile({ ...DEFAULT_POLICY_PROFILE, late: undefined }).ok).toBe(false);
  });

  it('refinements: contiguous brackets, open-ended last one, unique leave kinds', () => {
    const bad = profileWith((p) => {
      const b = p.late.brackets[1];
      if (b) b.fromMinutes = 35;
      const last = p.early.brackets[3];
      if (last) last.toMinutes = 500;
      p.leaveRules.push({ kind: 'AnnualLeave', code: 'X', deductionBp: 0, documentRequiredAfterDays: null });
    });
    const parsed = parsePolicyProfile(bad);
    expect(parsed.ok ? [] : parsed.issues).toEqual([
      'late.brackets.1.fromMinutes: must be 31',
      'early.brackets.3.toMinutes: the last bracket must be open-ended (null)',
      'leaveRules.7.kind: duplicate',
    ]);
  });

  it('bracketFor picks by whole minutes', () => {
    const b = DEFAULT_POLICY_PROFILE.late.brackets;
    expect([0, 1, 30, 31, 60, 61, 90, 91, 10_000].map((m) => bracketFor(b, m)?.code ?? null)).toEqual([
      null,
      'TL1',
      'TL1',
      'TL2',
      'TL2',
      'TL3',
      'TL3',
      'TL4',
      'TL4',
    ]);
  });
});

describe('versions and effective dates', () => {
  const v1 = profileWith((p) => {
    p.id = 'kab-x';
    p.version = 1;
    p.effectiveFrom = '2024-01-01';
  });
  const v2 = profileWith((p) => {
    p.id = 'kab-x';
    p.version = 2;
    p.effectiveFrom = '2024-07-15';
    p.absent.deductionBp = 400;
  });

  it('selects the version in force on each date', () => {
    expect(selectProfile([v2, v1], '2024-07-14').version).toBe(1);
    expect(selectProfile([v2, v1], '2024-07-15').version).toBe(2);
    expect(() => selectProfile([v2, v1], '2023-12-31')).toThrow(DomainError);
  });

  it('a change must take effect after every locked month', () => {
    const v3 = { ...v2, version: 3, effectiveFrom: '2024-06-30' };
    expect(checkProfileChange(v3, [v1, v2], ['2024-05', '2024-06'])).toEqual({
      ok: false,
      issues: ['effectiveFrom: 2024-06-30 falls on or before locked month 2024-06'],
    });
    expect(checkProfileChange({ ...v3, effectiveFrom: '2024-07-01' }, [v1, v2], ['2024-06']).ok).toBe(true);
  });

  it('a change must carry a higher version and be valid', () => {
    expect(checkProfileChange({ ...v2, effectiveFrom: '2024-09-01' }, [v1, v2], [])).toEqual({
      ok: false,
      issues: ['version: must be greater than 2'],
    });
    expect(checkProfileChange({ ...v2, version: 0 }, [v1, v2], []).ok).toBe(false);
  });
});
