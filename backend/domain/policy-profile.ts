/**
 * Policy profiles: every number of RULES.md as plain, JSON-serialisable,
 * versioned data with an effective date. A region copies the default, edits
 * the JSON, and validates it with `parsePolicyProfile`; no code changes.
 * Percentages are basis points (1 bp = 0.01 %; 0.5 % = 50, 100 % = 10 000) so
 * all allowance arithmetic stays in integers.
 */
import { z } from 'zod';
import { DomainError, type Outcome } from './domain-error.ts';
import { type IsoDate, type IsoMonth, isIsoDate, lastDateOfMonth } from './local-date.ts';

const bp = z.number().int().min(0).max(10_000).describe('basis points: 1 bp = 0.01 %, 10 000 = 100 %');
const code = z.string().min(1).max(16);
const isoDate = z.string().refine(isIsoDate, 'must be a valid date YYYY-MM-DD');

export const bracketSchema = z.object({
  code,
  fromMinutes: z.number().int().min(1),
  /** Inclusive upper bound; null = no upper bound (the last bracket). */
  toMinutes: z.number().int().min(1).nullable(),
  deductionBp: bp,
});

const fixedCodeSchema = z.object({ code, deductionBp: bp });

export const leaveRuleSchema = z.object({
  kind: z.string().min(1).describe('leave kind, e.g. AnnualLeave, SickLeave, OfficialTravel, DutyOutside'),
  code,
  deductionBp: bp.describe('0 = excused, no deduction'),
  documentRequiredAfterDays: z
    .number()
    .int()
    .min(0)
    .nullable()
    .describe('days from the leave start after which a supporting letter is required; null = never'),
});

function checkBrackets(
  brackets: ReadonlyArray<z.infer<typeof bracketSchema>>,
  path: string,
  ctx: z.RefinementCtx,
): void {
  brackets.forEach((b, i) => {
    const expectedFrom = i === 0 ? 1 : (brackets[i - 1]?.toMinutes ?? Number.NaN) + 1;
    if (b.fromMinutes !== expectedFrom) {
      ctx.addIssue({
        code: 'custom',
        path: [path, 'brackets', i, 'fromMinutes'],
        message: `must be ${expectedFrom}`,
      });
    }
    const last = i === brackets.length - 1;
    if (last !== (b.toMinutes === null)) {
      ctx.addIssue({
        code: 'custom',
        path: [path, 'brackets', i, 'toMinutes'],
        message: last
          ? 'the last bracket must be open-ended (null)'
          : 'only the last bracket may be open-ended',
      });
    }
    if (b.toMinutes !== null && b.toMinutes < b.fromMinutes) {
      ctx.addIssue({
        code: 'custom',
        path: [path, 'brackets', i, 'toMinutes'],
        message: 'must be >= fromMinutes',
      });
    }
  });
}

export const policyProfileSchema = z
  .object({
    schemaVersion: z.literal(1),
    id: z.string().min(1).describe('lineage id; versions of one profile share it'),
    version: z.number().int().min(1),
    name: z.string().min(1),
    effectiveFrom: isoDate.describe('first local date this version applies to'),
    legalBasis: z.string().describe('e.g. the Perbup / Pergub number'),
    late: z.object({
      brackets: z.array(bracketSchema).min(1),
      graceMinutes: z.number().int().min(0).max(120),
      /** 'ScheduledStart': beyond the grace, lateness counts from the start; 'GraceEnd': from start + grace. */
      graceCountsFrom: z.enum(['ScheduledStart', 'GraceEnd']),
      makeUp: z.object({
        enabled: z.boolean(),
        maxLateMinutes: z
          .number()
          .int()
          .min(0)
          .describe('lateness up to this is waived if the day is made up'),
      }),
      freeLateDays: z.object({
        count: z.number().int().min(0).describe('N in "deductions only after more than N late days"'),
        mode: z.enum(['ExcessOnly', 'AllWhenExceeded']),
      }),
    }),
    early: z.object({ brackets: z.array(bracketSchema).min(1) }),
    missingClockIn: fixedCodeSchema,
    missingClockOut: fixedCodeSchema,
    absent: fixedCodeSchema,
    dailyCapBp: bp.nullable(),
    monthlyCapBp: bp,
    leaveRules: z.array(leaveRuleSchema),
  })
  .superRefine((p, ctx) => {
    checkBrackets(p.late.brackets, 'late', ctx);
    checkBrackets(p.early.brackets, 'early', ctx);
    const kinds = new Set<string>();
    p.leaveRules.forEach((r, i) => {
      if (kinds.has(r.kind))
        ctx.addIssue({ code: 'custom', path: ['leaveRules', i, 'kind'], message: 'duplicate' });
      kinds.add(r.kind);
    });
  });

export type PolicyProfile = z.infer<typeof policyProfileSchema>;
export type DeductionBracket = z.infer<typeof bracketSchema>;
export type LeaveRule = z.infer<typeof leaveRuleSchema>;
export interface ProfileRef {
  id: string;
  version: number;
}

/** Validate untrusted JSON; every issue is listed as `path: message`. */
export function parsePolicyProfile(json: unknown): Outcome<PolicyProfile> {
  const result = policyProfileSchema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const brackets = (prefix: string, bps: readonly [number, number, number, number]): DeductionBracket[] => [
  { code: `${prefix}1`, fromMinutes: 1, toMinutes: 30, deductionBp: bps[0] },
  { code: `${prefix}2`, fromMinutes: 31, toMinutes: 60, deductionBp: bps[1] },
  { code: `${prefix}3`, fromMinutes: 61, toMinutes: 90, deductionBp: bps[2] },
  { code: `${prefix}4`, fromMinutes: 91, toMinutes: null, deductionBp: bps[3] },
];

/** The default profile of RULES.md (TL/PSW 0.5/1/1.25/1.5 %, TK 3 %, cap 100 %). */
export const DEFAULT_POLICY_PROFILE: PolicyProfile = deepFreeze({
  schemaVersion: 1,
  id: 'default',
  version: 1,
  name: 'Default (Kemenag Kepsekjen 13/2014 pattern)',
  effectiveFrom: '2000-01-01',
  legalBasis: 'RULES.md default; Perpres 21/2023, PermenPANRB 6/2018',
  late: {
    brackets: brackets('TL', [50, 100, 125, 150]),
    graceMinutes: 0,
    graceCountsFrom: 'ScheduledStart',
    makeUp: { enabled: false, maxLateMinutes: 30 },
    freeLateDays: { count: 0, mode: 'ExcessOnly' },
  },
  early: { brackets: brackets('PSW', [50, 100, 125, 150]) },
  missingClockIn: { code: 'TL4', deductionBp: 150 },
  missingClockOut: { code: 'PSW4', deductionBp: 150 },
  absent: { code: 'TK', deductionBp: 300 },
  dailyCapBp: null,
  monthlyCapBp: 10_000,
  leaveRules: [
    { kind: 'AnnualLeave', code: 'CT', deductionBp: 0, documentRequiredAfterDays: null },
    { kind: 'SickLeave', code: 'CS', deductionBp: 0, documentRequiredAfterDays: 2 },
    { kind: 'MaternityLeave', code: 'CM', deductionBp: 0, documentRequiredAfterDays: null },
    { kind: 'ImportantReasonsLeave', code: 'CAP', deductionBp: 0, documentRequiredAfterDays: null },
    { kind: 'LongLeave', code: 'CB', deductionBp: 0, documentRequiredAfterDays: null },
    { kind: 'OfficialTravel', code: 'DL', deductionBp: 0, documentRequiredAfterDays: null },
    { kind: 'DutyOutside', code: 'TD', deductionBp: 0, documentRequiredAfterDays: null },
  ],
});

/** The bracket for a positive number of minutes (brackets are contiguous from 1 and open-ended). */
export function bracketFor(list: readonly DeductionBracket[], minutes: number): DeductionBracket | null {
  if (minutes <= 0) return null;
  for (const b of list) if (b.toMinutes === null || minutes <= b.toMinutes) return b;
  return null;
}

function newer(a: PolicyProfile, b: PolicyProfile): boolean {
  return a.effectiveFrom > b.effectiveFrom || (a.effectiveFrom === b.effectiveFrom && a.version > b.version);
}

/**
 * Where the rules take a day's profile from: one profile, a profile history (the version in force
 * on each date), or a function of the date (an employee's profile resolved through their unit,
 * see profile-assignment.ts).
 */
export type ProfileSource = PolicyProfile | readonly PolicyProfile[] | ((date: IsoDate) => PolicyProfile);

/**
 * The profile in force on a local date: the greatest `effectiveFrom` on or
 * before it (then the greatest version). Throws if none is in force yet.
 */
export function selectProfile(profiles: ProfileSource, date: IsoDate): PolicyProfile {
  if (typeof profiles === 'function') return profiles(date);
  if (!Array.isArray(profiles)) return profiles as PolicyProfile;
  let best: PolicyProfile | null = null;
  for (const p of profiles as readonly PolicyProfile[]) {
    if (p.effectiveFrom <= date && (!best || newer(p, best))) best = p;
  }
  if (!best) throw new DomainError('NO_PROFILE_IN_FORCE', `no policy profile in force on ${date}`);
  return best;
}

const refs = new WeakMap<PolicyProfile, ProfileRef>();

/** `{ id, version }` of a profile; one shared frozen object per profile. */
export function profileRef(p: PolicyProfile): ProfileRef {
  let ref = refs.get(p);
  if (!ref) {
    ref = Object.freeze({ id: p.id, version: p.version });
    refs.set(p, ref);
  }
  return ref;
}

/**
 * May `candidate` be published next to `existing`? It must be valid, carry a
 * higher version than any of its lineage, and take effect after every locked
 * month, so that a profile change never rewrites a locked month.
 */
export function checkProfileChange(
  candidate: unknown,
  existing: readonly PolicyProfile[],
  lockedMonths: readonly IsoMonth[],
): Outcome<PolicyProfile> {
  const parsed = parsePolicyProfile(candidate);
  if (!parsed.ok) return parsed;
  const p = parsed.value;
  const issues: string[] = [];
  const top = Math.max(0, ...existing.filter((e) => e.id === p.id).map((e) => e.version));
  if (p.version <= top) issues.push(`version: must be greater than ${top}`);
  const locked = lockedMonths.filter((m) => p.effectiveFrom <= lastDateOfMonth(m)).sort();
  if (locked.length > 0) {
    issues.push(`effectiveFrom: ${p.effectiveFrom} falls on or before locked month ${locked.at(-1)}`);
  }
  return issues.length > 0 ? { ok: false, issues } : parsed;
}
