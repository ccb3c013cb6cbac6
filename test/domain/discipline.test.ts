import { describe, expect, it } from 'vitest';
import {
  type DayStatus,
  detectThresholdCrossings,
  PP94_CONSECUTIVE_THRESHOLD,
  recommendDiscipline,
  summariseAbsence,
} from '../../backend/domain/index.ts';

const state = (tkDays: number, longestTkRun = 1) => ({ tkDays, longestTkRun });

describe('PP 94/2021 level and sanction for cumulative TK days', () => {
  it.each([
    [0, null, null],
    [2, null, null],
    [3, 'Light', 'VerbalWarning'],
    [4, 'Light', 'WrittenWarning'],
    [6, 'Light', 'WrittenWarning'],
    [7, 'Light', 'WrittenStatementOfDissatisfaction'],
    [10, 'Light', 'WrittenStatementOfDissatisfaction'],
    [11, 'Medium', 'AllowanceCut25For6Months'],
    [13, 'Medium', 'AllowanceCut25For6Months'],
    [14, 'Medium', 'AllowanceCut25For9Months'],
    [16, 'Medium', 'AllowanceCut25For9Months'],
    [17, 'Medium', 'AllowanceCut25For12Months'],
    [20, 'Medium', 'AllowanceCut25For12Months'],
    [21, 'Heavy', 'Demotion12Months'],
    [24, 'Heavy', 'Demotion12Months'],
    [25, 'Heavy', 'RemovalFromPosition12Months'],
    [27, 'Heavy', 'RemovalFromPosition12Months'],
    [28, 'Heavy', 'HonourableDismissalNotAtOwnRequest'],
    [200, 'Heavy', 'HonourableDismissalNotAtOwnRequest'],
  ])('%i days → %s %s', (days, level, sanction) => {
    const r = recommendDiscipline(state(days));
    expect(r.recommended?.level ?? null).toBe(level);
    expect(r.recommended?.sanction ?? null).toBe(sanction);
    expect(r.notify).toEqual(
      level === null ? [] : level === 'Light' ? ['DirectSuperior'] : ['DirectSuperior', 'Bkd'],
    );
  });

  it('10 consecutive working days → heavy, dismissal, salary stops next month', () => {
    expect(recommendDiscipline(state(9, 9)).recommended?.sanction).toBe('WrittenStatementOfDissatisfaction');
    const r = recommendDiscipline(state(10, 10));
    expect(r.consecutive).toBe(PP94_CONSECUTIVE_THRESHOLD);
    expect(r.recommended).toMatchObject({ level: 'Heavy', sanction: 'DismissalSalaryStopsNextMonth' });
    expect(r.notify).toEqual(['DirectSuperior', 'Bkd']);
  });
});

describe('threshold crossings', () => {
  it.each([
    [2, 3, 'VerbalWarning', ['DirectSuperior']],
    [3, 4, 'WrittenWarning', ['DirectSuperior']],
    [6, 7, 'WrittenStatementOfDissatisfaction', ['DirectSuperior']],
    [10, 11, 'AllowanceCut25For6Months', ['DirectSuperior', 'Bkd']],
    [13, 14, 'AllowanceCut25For9Months', ['DirectSuperior', 'Bkd']],
    [16, 17, 'AllowanceCut25For12Months', ['DirectSuperior', 'Bkd']],
    [20, 21, 'Demotion12Months', ['DirectSuperior', 'Bkd']],
    [24, 25, 'RemovalFromPosition12Months', ['DirectSuperior', 'Bkd']],
    [27, 28, 'HonourableDismissalNotAtOwnRequest', ['DirectSuperior', 'Bkd']],
  ])('%i → %i days crosses into %s', (from, to, sanction, notify) => {
    const crossings = detectThresholdCrossings(state(from), state(to));
    expect(crossings).toHaveLength(1);
    expect(crossings[0]).toMatchObject({ direction: 'Up', threshold: { sanction }, notify });
  });

  it.each([
    [3, 3],
    [4, 6],
    [7, 10],
    [11, 13],
  ])('%i → %i days stays within one bracket: no crossing', (from, to) => {
    expect(detectThresholdCrossings(state(from), state(to))).toEqual([]);
  });

  it('a jump over several thresholds lists each, lightest first', () => {
    const c = detectThresholdCrossings(state(2), state(11));
    expect(c.map((x) => x.threshold.minDays)).toEqual([3, 4, 7, 11]);
  });

  it('9 → 10 consecutive days crosses the consecutive threshold', () => {
    const c = detectThresholdCrossings(state(9, 9), state(10, 10));
    expect(c.map((x) => x.threshold.basis)).toEqual(['Consecutive']);
    expect(c[0]?.notify).toEqual(['DirectSuperior', 'Bkd']);
  });

  it('a correction below a threshold is reported downwards for review', () => {
    expect(detectThresholdCrossings(state(3), state(2))).toMatchObject([
      { direction: 'Down', threshold: { sanction: 'VerbalWarning' } },
    ]);
  });
});

describe('summariseAbsence', () => {
  const days = (spec: string, start = '2024-07-01') =>
    [...spec].map((c, i) => {
      const d = new Date(`${start}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() + i);
      const status: DayStatus =
        c === 'A' ? 'Absent' : c === 'o' ? 'OffDay' : c === 'h' ? 'Holiday' : 'Present';
      return { workDate: d.toISOString().slice(0, 10), status };
    });

  it('weekends and holidays do not break a run of TK working days', () => {
    // Mon 1 July: 5 TK, weekend, 5 TK = 10 consecutive working days.
    expect(summariseAbsence(days('AAAAAooAAAAA'), 2024)).toEqual({ tkDays: 10, longestTkRun: 10 });
    expect(summariseAbsence(days('AAAAAooAAhAA'), 2024)).toEqual({ tkDays: 9, longestTkRun: 9 });
  });

  it('a working day present breaks the run', () => {
    expect(summariseAbsence(days('AAAAAooAPAAA'), 2024)).toEqual({ tkDays: 9, longestTkRun: 6 });
  });

  it('counts TK days of the given year only; runs may cross New Year', () => {
    const s = summariseAbsence(days('AAAAA', '2023-12-29'), 2024);
    expect(s).toEqual({ tkDays: 2, longestTkRun: 5 });
  });
});
