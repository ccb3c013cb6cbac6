/**
 * Discipline cases escalate, they do not pile up (issue #11 point 7, RULES.md "Discipline cases").
 *
 * One open case per employee, rule (basis: Cumulative or Consecutive) and calendar year. When the
 * count reaches a heavier level, the open case escalates: the lighter level is superseded and stays
 * in the case's history, and the case shows the current level. Every level the count passed is in
 * the history, each with the date of the TK day that reached it (a month close may pass 3, 4–6 and
 * 7–10 in one go); the people concerned are told of the level current after each evaluation, once
 * per case and level.
 *
 * Choices, as a BKD officer would expect them:
 * - A decided case is a finished proceeding: its decision stays recorded against the level it was
 *   made for. A heavier count later in the year opens a NEW case for the same rule, which follows the
 *   decided one (`previousCaseId`) and whose history starts above the decided level. The same or a
 *   lighter level than the one decided opens nothing (the days were already dealt with).
 * - A correction that takes the count below the current level of an open case does not downgrade
 *   it: the case keeps its level and is flagged `reviewNeeded` (a person decides, e.g. to close it
 *   with no sanction); back at or above the level, the flag clears. Decided cases are not touched.
 * - The 10-consecutive-working-days rule is a case of its own, beside the cumulative one.
 */
import {
  type AbsenceState,
  type DayStatusEntry,
  type DisciplineThreshold,
  PP94_CONSECUTIVE_THRESHOLD,
  PP94_CUMULATIVE_THRESHOLDS,
  summariseAbsence,
  type ThresholdBasis,
} from './discipline.ts';
import type { IsoDate } from './local-date.ts';

/** 'Cumulative:14', 'Consecutive:10': a threshold's stable key (stored on cases and levels). */
export function thresholdKey(t: DisciplineThreshold): string {
  return `${t.basis}:${t.minDays}`;
}

export interface DisciplineRules {
  cumulative: readonly DisciplineThreshold[];
  consecutive: DisciplineThreshold;
}

export const PP94_RULES: DisciplineRules = Object.freeze({
  cumulative: PP94_CUMULATIVE_THRESHOLDS,
  consecutive: PP94_CONSECUTIVE_THRESHOLD,
});

export function thresholdByKey(key: string, rules: DisciplineRules = PP94_RULES): DisciplineThreshold | null {
  return [...rules.cumulative, rules.consecutive].find((t) => thresholdKey(t) === key) ?? null;
}

/**
 * The working date on which the count of `year` first reached the threshold: the n-th TK day of
 * the year (cumulative), or the day a run of TK working days reached n (consecutive). Null when
 * it is not reached in the days given.
 */
export function thresholdReachedOn(
  days: readonly DayStatusEntry[],
  year: number,
  t: DisciplineThreshold,
): IsoDate | null {
  const sorted = [...days].sort((a, b) => (a.workDate < b.workDate ? -1 : a.workDate > b.workDate ? 1 : 0));
  const prefix = `${String(year).padStart(4, '0')}-`;
  let count = 0;
  let run = 0;
  for (const d of sorted) {
    if (d.status === 'OffDay' || d.status === 'Holiday') continue;
    if (d.status !== 'Absent') {
      run = 0;
      continue;
    }
    run++;
    if (!d.workDate.startsWith(prefix)) continue;
    count++;
    if ((t.basis === 'Cumulative' ? count : run) >= t.minDays) return d.workDate;
  }
  return null;
}

/** What a stored case tells the planner. */
export interface CaseSnapshot {
  id: string;
  basis: ThresholdBasis;
  /** The current level's threshold key. */
  threshold: string;
  state: 'Open' | 'Decided';
  reviewNeeded: boolean;
  tkDays: number;
  longestRun: number;
}

export interface LevelStep {
  threshold: DisciplineThreshold;
  reachedOn: IsoDate | null;
  /** Passed and superseded in the same evaluation (a jump over several levels): nobody is told of it. */
  supersededAtOnce: boolean;
}

export type CaseAction =
  | {
      kind: 'Open';
      basis: ThresholdBasis;
      /** Lightest first; the last is the current level. */
      levels: LevelStep[];
      current: DisciplineThreshold;
      /** The decided case of the same rule and year this one follows. */
      previousCaseId: string | null;
    }
  | {
      kind: 'Escalate';
      caseId: string;
      /** The threshold key the case is at now (the escalation applies only if it still is). */
      from: string;
      levels: LevelStep[];
      current: DisciplineThreshold;
    }
  | { kind: 'Refresh'; caseId: string; reviewNeeded: boolean };

export interface CasePlan {
  state: AbsenceState;
  actions: CaseAction[];
}

const rankOf = (key: string, rules: DisciplineRules) => thresholdByKey(key, rules)?.rank ?? 0;

function planRule(
  basis: ThresholdBasis,
  table: readonly DisciplineThreshold[],
  count: number,
  cases: readonly CaseSnapshot[],
  reachedOn: (t: DisciplineThreshold) => IsoDate | null,
  rules: DisciplineRules,
): CaseAction | null {
  const reached = table.filter((t) => count >= t.minDays).sort((a, b) => a.rank - b.rank);
  const current = reached.at(-1) ?? null;
  const steps = (above: number): LevelStep[] => {
    const passed = reached.filter((t) => t.rank > above);
    return passed.map((t, i) => ({
      threshold: t,
      reachedOn: reachedOn(t),
      supersededAtOnce: i < passed.length - 1,
    }));
  };
  const open = cases.find((c) => c.basis === basis && c.state === 'Open');
  if (open) {
    const openRank = rankOf(open.threshold, rules);
    if (current && current.rank > openRank) {
      return { kind: 'Escalate', caseId: open.id, from: open.threshold, levels: steps(openRank), current };
    }
    const minDays = thresholdByKey(open.threshold, rules)?.minDays ?? 0;
    return { kind: 'Refresh', caseId: open.id, reviewNeeded: count < minDays };
  }
  const decided = cases
    .filter((c) => c.basis === basis && c.state === 'Decided')
    .sort((a, b) => rankOf(a.threshold, rules) - rankOf(b.threshold, rules))
    .at(-1);
  const decidedRank = decided ? rankOf(decided.threshold, rules) : 0;
  if (!current || current.rank <= decidedRank) return null;
  return { kind: 'Open', basis, levels: steps(decidedRank), current, previousCaseId: decided?.id ?? null };
}

/**
 * What to do with an employee's cases of `year` given the day statuses (December of the year
 * before too, for a run crossing New Year): open, escalate, or refresh the open case's counts and
 * review flag. A Refresh is returned only when something stored would change.
 */
export function planDisciplineCases(
  days: readonly DayStatusEntry[],
  year: number,
  cases: readonly CaseSnapshot[],
  rules: DisciplineRules = PP94_RULES,
): CasePlan {
  const state = summariseAbsence(days, year);
  const reachedOn = (t: DisciplineThreshold) => thresholdReachedOn(days, year, t);
  const actions: CaseAction[] = [];
  const rulesToPlan: Array<[ThresholdBasis, readonly DisciplineThreshold[], number]> = [
    ['Cumulative', rules.cumulative, state.tkDays],
    ['Consecutive', [rules.consecutive], state.longestTkRun],
  ];
  for (const [basis, table, count] of rulesToPlan) {
    const a = planRule(basis, table, count, cases, reachedOn, rules);
    if (!a) continue;
    if (a.kind === 'Refresh') {
      const c = cases.find((x) => x.id === a.caseId);
      const same =
        c?.reviewNeeded === a.reviewNeeded &&
        c.tkDays === state.tkDays &&
        c.longestRun === state.longestTkRun;
      if (same) continue;
    }
    actions.push(a);
  }
  return { state, actions };
}
