/** Discipline cases escalate, not pile up: the pure planner (backend/domain/discipline-case.ts). */
import { describe, expect, it } from 'vitest';
import {
  type CaseAction,
  type CaseSnapshot,
  PP94_CONSECUTIVE_THRESHOLD as CONSECUTIVE,
  PP94_CUMULATIVE_THRESHOLDS as CUMULATIVE,
  type DayStatusEntry,
  planDisciplineCases,
  thresholdKey,
  thresholdReachedOn,
} from '../../backend/domain/index.ts';

/** Working days (Mon–Fri) from Monday 6 January 2025: 'A' absent (TK), 'P' present. */
function weekdays(spec: string, start = '2025-01-06'): DayStatusEntry[] {
  const out: DayStatusEntry[] = [];
  const d = new Date(`${start}T00:00:00Z`);
  for (const c of spec) {
    while (d.getUTCDay() === 0 || d.getUTCDay() === 6) d.setUTCDate(d.getUTCDate() + 1);
    out.push({ workDate: d.toISOString().slice(0, 10), status: c === 'A' ? 'Absent' : 'Present' });
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}
/** n TK days, each followed by a present day (no run of 10). */
const scattered = (n: number) => 'AP'.repeat(n);

type Level = { threshold: string; sanction: string; level: string; superseded: boolean; told: boolean };
type Stored = CaseSnapshot & { levels: Level[]; previousCaseId: string | null };

/** Applies a plan as the repository would, so that a sequence of evaluations can be followed. */
function apply(cases: Stored[], actions: readonly CaseAction[], tk: number, run: number): string[] {
  const told: string[] = [];
  for (const a of actions) {
    if (a.kind === 'Refresh') {
      const c = cases.find((x) => x.id === a.caseId);
      if (c) Object.assign(c, { reviewNeeded: a.reviewNeeded, tkDays: tk, longestRun: run });
      continue;
    }
    const levels = a.levels.map((l) => ({
      threshold: thresholdKey(l.threshold),
      sanction: l.threshold.sanction,
      level: l.threshold.level,
      superseded: l.supersededAtOnce,
      told: !l.supersededAtOnce,
    }));
    const key = thresholdKey(a.current);
    if (a.kind === 'Open') {
      const id = `case-${cases.length + 1}`;
      cases.push({
        id,
        basis: a.basis,
        threshold: key,
        state: 'Open',
        reviewNeeded: false,
        tkDays: tk,
        longestRun: run,
        levels,
        previousCaseId: a.previousCaseId,
      });
      told.push(`${id}:${key}`);
    } else {
      const c = cases.find((x) => x.id === a.caseId);
      if (!c) throw new Error('escalating an unknown case');
      for (const l of c.levels) l.superseded = true;
      c.levels.push(...levels);
      Object.assign(c, { threshold: key, reviewNeeded: false, tkDays: tk, longestRun: run });
      told.push(`${c.id}:${key}`);
    }
  }
  return told;
}

function evaluate(cases: Stored[], days: readonly DayStatusEntry[]): string[] {
  const plan = planDisciplineCases(days, 2025, cases);
  return apply(cases, plan.actions, plan.state.tkDays, plan.state.longestTkRun);
}

describe('one case per employee, rule and year, escalating', () => {
  it('3 → 5 → 14 TK days: one case at Medium (14–16), the lighter levels superseded in its history', () => {
    const cases: Stored[] = [];
    expect(evaluate(cases, weekdays(scattered(3)))).toEqual(['case-1:Cumulative:3']);
    expect(evaluate(cases, weekdays(scattered(5)))).toEqual(['case-1:Cumulative:4']);
    expect(evaluate(cases, weekdays(scattered(14)))).toEqual(['case-1:Cumulative:14']);
    expect(cases).toHaveLength(1);
    const c = cases[0] as Stored;
    expect(c).toMatchObject({ basis: 'Cumulative', threshold: 'Cumulative:14', state: 'Open', tkDays: 14 });
    expect(c.levels.map((l) => [l.level, l.sanction, l.superseded, l.told])).toEqual([
      ['Light', 'VerbalWarning', true, true],
      ['Light', 'WrittenWarning', true, true],
      // Passed between two evaluations: recorded, superseded at once, nobody told of them.
      ['Light', 'WrittenStatementOfDissatisfaction', true, false],
      ['Medium', 'AllowanceCut25For6Months', true, false],
      ['Medium', 'AllowanceCut25For9Months', false, true],
    ]);
  });

  it('evaluating the same days again changes nothing and tells nobody', () => {
    const cases: Stored[] = [];
    const days = weekdays(scattered(14));
    expect(evaluate(cases, days)).toEqual(['case-1:Cumulative:14']);
    const before = structuredClone(cases);
    expect(planDisciplineCases(days, 2025, cases).actions).toEqual([]);
    expect(evaluate(cases, days)).toEqual([]);
    expect(cases).toEqual(before);
  });

  it('a run of 10 consecutive working days is a case of its own, beside the cumulative one', () => {
    const cases: Stored[] = [];
    expect(evaluate(cases, weekdays(scattered(3)))).toEqual(['case-1:Cumulative:3']);
    // Then two weeks absent: 13 TK days, a run of 10.
    expect(evaluate(cases, weekdays(`${scattered(3)}${'A'.repeat(10)}`))).toEqual([
      'case-1:Cumulative:11',
      'case-2:Consecutive:10',
    ]);
    expect(cases.map((c) => [c.basis, c.threshold, c.state])).toEqual([
      ['Cumulative', 'Cumulative:11', 'Open'],
      ['Consecutive', 'Consecutive:10', 'Open'],
    ]);
    expect(cases[1]?.levels.map((l) => l.sanction)).toEqual(['DismissalSalaryStopsNextMonth']);
  });

  it('a correction below the level flags the open case for review, never downgrades it', () => {
    const cases: Stored[] = [];
    evaluate(cases, weekdays(scattered(5)));
    expect(evaluate(cases, weekdays(scattered(3)))).toEqual([]);
    expect(cases[0]).toMatchObject({ threshold: 'Cumulative:4', reviewNeeded: true, tkDays: 3 });
    // Back at the level: the flag clears, nobody is told again.
    expect(evaluate(cases, weekdays(scattered(6)))).toEqual([]);
    expect(cases[0]).toMatchObject({ threshold: 'Cumulative:4', reviewNeeded: false, tkDays: 6 });
    // Down to none: still the same case, for a person to close.
    evaluate(cases, weekdays('PPP'));
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ threshold: 'Cumulative:4', reviewNeeded: true, tkDays: 0 });
  });

  it('after a decision, a heavier level opens a new case that follows it; the same level opens nothing', () => {
    const cases: Stored[] = [];
    evaluate(cases, weekdays(scattered(3)));
    (cases[0] as Stored).state = 'Decided';
    expect(evaluate(cases, weekdays(scattered(3)))).toEqual([]);
    expect(evaluate(cases, weekdays(scattered(8)))).toEqual(['case-2:Cumulative:7']);
    expect(cases[0]).toMatchObject({ state: 'Decided', threshold: 'Cumulative:3', tkDays: 3 });
    expect(cases[1]).toMatchObject({ state: 'Open', previousCaseId: 'case-1', threshold: 'Cumulative:7' });
    // Its history starts above the decided level.
    expect(cases[1]?.levels.map((l) => l.threshold)).toEqual(['Cumulative:4', 'Cumulative:7']);
    // A decided consecutive case: a longer run is the same level, nothing new.
    const run = weekdays('A'.repeat(10));
    evaluate(cases, run);
    const consecutive = cases.find((c) => c.basis === 'Consecutive') as Stored;
    consecutive.state = 'Decided';
    const count = cases.length;
    evaluate(cases, weekdays('A'.repeat(15)));
    expect(cases.filter((c) => c.basis === 'Consecutive')).toHaveLength(1);
    expect(cases.length).toBe(count);
  });
});

describe('the date a level was reached', () => {
  it('the n-th TK day of the year, or the day a run reached 10', () => {
    const days = weekdays(scattered(4));
    expect(thresholdReachedOn(days, 2025, CUMULATIVE[0] as (typeof CUMULATIVE)[0])).toBe('2025-01-10');
    expect(thresholdReachedOn(days, 2025, CUMULATIVE[1] as (typeof CUMULATIVE)[0])).toBe('2025-01-14');
    expect(thresholdReachedOn(days, 2025, CUMULATIVE[2] as (typeof CUMULATIVE)[0])).toBeNull();
    // Present on Monday 6 January, then 10 working days in a row from Tuesday 7: reached on Monday 20.
    expect(thresholdReachedOn(weekdays('PAAAAAAAAAA'), 2025, CONSECUTIVE)).toBe('2025-01-20');
  });

  it('a run crossing New Year counts on its days in the year; one that ended in December does not', () => {
    const crossing = weekdays('A'.repeat(10), '2024-12-23'); // 23 Dec 2024 … 3 Jan 2025
    expect(planDisciplineCases(crossing, 2025, []).state).toEqual({ tkDays: 3, longestTkRun: 10 });
    expect(thresholdReachedOn(crossing, 2025, CONSECUTIVE)).toBe('2025-01-03');
    const december = weekdays(`${'A'.repeat(10)}P`, '2024-12-09');
    expect(planDisciplineCases(december, 2025, []).actions).toEqual([]);
    expect(planDisciplineCases(december, 2024, []).actions.map((a) => a.kind)).toEqual(['Open', 'Open']);
  });
});
