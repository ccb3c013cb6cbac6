/**
 * Discipline for unexcused absence, PP 94/2021 art. 9–11: cumulative TK days in
 * a calendar year, and 10 consecutive TK working days. The system recommends;
 * a person decides. Crossing a threshold tells the direct superior, and BKD too
 * for medium and heavy levels.
 */
import type { DayStatus } from './daily-record.ts';
import type { IsoDate } from './local-date.ts';

export type DisciplineLevel = 'Light' | 'Medium' | 'Heavy';
export type Sanction =
  | 'VerbalWarning'
  | 'WrittenWarning'
  | 'WrittenStatementOfDissatisfaction'
  | 'AllowanceCut25For6Months'
  | 'AllowanceCut25For9Months'
  | 'AllowanceCut25For12Months'
  | 'Demotion12Months'
  | 'RemovalFromPosition12Months'
  | 'HonourableDismissalNotAtOwnRequest'
  | 'DismissalSalaryStopsNextMonth';
export type Notify = 'DirectSuperior' | 'Bkd';
export type ThresholdBasis = 'Cumulative' | 'Consecutive';

export interface DisciplineThreshold {
  basis: ThresholdBasis;
  /** Inclusive range of days; maxDays null = no upper bound. */
  minDays: number;
  maxDays: number | null;
  level: DisciplineLevel;
  sanction: Sanction;
  /** Indonesian wording, for letters and the UI. */
  label: string;
  /** Severity order: a higher rank is a heavier recommendation. */
  rank: number;
}

const t = (
  minDays: number,
  maxDays: number | null,
  level: DisciplineLevel,
  sanction: Sanction,
  label: string,
  rank: number,
): DisciplineThreshold => ({ basis: 'Cumulative', minDays, maxDays, level, sanction, label, rank });

/** Cumulative unexcused absence days in a calendar year (RULES.md table). */
export const PP94_CUMULATIVE_THRESHOLDS: readonly DisciplineThreshold[] = Object.freeze([
  t(3, 3, 'Light', 'VerbalWarning', 'teguran lisan', 1),
  t(4, 6, 'Light', 'WrittenWarning', 'teguran tertulis', 2),
  t(7, 10, 'Light', 'WrittenStatementOfDissatisfaction', 'pernyataan tidak puas secara tertulis', 3),
  t(11, 13, 'Medium', 'AllowanceCut25For6Months', 'pemotongan tunjangan kinerja 25% selama 6 bulan', 4),
  t(14, 16, 'Medium', 'AllowanceCut25For9Months', 'pemotongan tunjangan kinerja 25% selama 9 bulan', 5),
  t(17, 20, 'Medium', 'AllowanceCut25For12Months', 'pemotongan tunjangan kinerja 25% selama 12 bulan', 6),
  t(21, 24, 'Heavy', 'Demotion12Months', 'penurunan jabatan setingkat lebih rendah selama 12 bulan', 7),
  t(25, 27, 'Heavy', 'RemovalFromPosition12Months', 'pembebasan dari jabatan selama 12 bulan', 8),
  t(
    28,
    null,
    'Heavy',
    'HonourableDismissalNotAtOwnRequest',
    'pemberhentian dengan hormat tidak atas permintaan sendiri',
    9,
  ),
]);

/** 10 consecutive working days of unexcused absence. */
export const PP94_CONSECUTIVE_THRESHOLD: DisciplineThreshold = Object.freeze({
  basis: 'Consecutive',
  minDays: 10,
  maxDays: null,
  level: 'Heavy',
  sanction: 'DismissalSalaryStopsNextMonth',
  label: 'pemberhentian; gaji dihentikan mulai bulan berikutnya',
  rank: 10,
});

export interface AbsenceState {
  /** Unexcused absence (TK) days in the calendar year. */
  tkDays: number;
  /** Longest run of consecutive TK working days. */
  longestTkRun: number;
}

export interface DayStatusEntry {
  workDate: IsoDate;
  status: DayStatus;
}

/**
 * Count TK days of `year` and the longest run of consecutive TK working days.
 * Days off and holidays neither extend nor break a run (Friday TK + Monday TK =
 * a run of 2); any other working-day status (present, excused, pending, open)
 * breaks it. Dates not supplied are treated as days off, so pass every working
 * day. A run counts for `year` on its days in `year`: a run crossing New Year
 * is found when December is passed too, but one that ended in December is not
 * counted again for the next year. `tkDays` counts only `year`.
 */
export function summariseAbsence(days: readonly DayStatusEntry[], year: number): AbsenceState {
  const sorted = [...days].sort((a, b) => (a.workDate < b.workDate ? -1 : a.workDate > b.workDate ? 1 : 0));
  const prefix = `${String(year).padStart(4, '0')}-`;
  let tkDays = 0;
  let run = 0;
  let longestTkRun = 0;
  for (const d of sorted) {
    if (d.status === 'OffDay' || d.status === 'Holiday') continue;
    if (d.status === 'Absent') {
      if (d.workDate.startsWith(prefix)) tkDays++;
      run++;
      if (d.workDate.startsWith(prefix)) longestTkRun = Math.max(longestTkRun, run);
    } else {
      run = 0;
    }
  }
  return { tkDays, longestTkRun };
}

function cumulativeThreshold(
  days: number,
  table: readonly DisciplineThreshold[],
): DisciplineThreshold | null {
  return table.find((x) => days >= x.minDays && (x.maxDays === null || days <= x.maxDays)) ?? null;
}

export interface DisciplineRecommendation {
  cumulative: DisciplineThreshold | null;
  consecutive: DisciplineThreshold | null;
  /** The heavier of the two; null when no threshold is reached. */
  recommended: DisciplineThreshold | null;
  notify: Notify[];
}

export function notifyFor(level: DisciplineLevel): Notify[] {
  return level === 'Light' ? ['DirectSuperior'] : ['DirectSuperior', 'Bkd'];
}

/** Level and recommended sanction for an absence state. */
export function recommendDiscipline(
  state: AbsenceState,
  table: readonly DisciplineThreshold[] = PP94_CUMULATIVE_THRESHOLDS,
  consecutiveRule: DisciplineThreshold = PP94_CONSECUTIVE_THRESHOLD,
): DisciplineRecommendation {
  const cumulative = cumulativeThreshold(state.tkDays, table);
  const consecutive = state.longestTkRun >= consecutiveRule.minDays ? consecutiveRule : null;
  const recommended =
    cumulative && consecutive
      ? consecutive.rank > cumulative.rank
        ? consecutive
        : cumulative
      : (cumulative ?? consecutive);
  return { cumulative, consecutive, recommended, notify: recommended ? notifyFor(recommended.level) : [] };
}

export interface ThresholdCrossing {
  threshold: DisciplineThreshold;
  /** 'Up': a case should be opened; 'Down': a correction took the count back below it, review the case. */
  direction: 'Up' | 'Down';
  notify: Notify[];
}

/**
 * Thresholds crossed between two states (e.g. before and after recomputing a
 * day), lightest first; with several upward crossings the last is the one to act on.
 */
export function detectThresholdCrossings(
  before: AbsenceState,
  after: AbsenceState,
  table: readonly DisciplineThreshold[] = PP94_CUMULATIVE_THRESHOLDS,
  consecutiveRule: DisciplineThreshold = PP94_CONSECUTIVE_THRESHOLD,
): ThresholdCrossing[] {
  const out: ThresholdCrossing[] = [];
  const check = (threshold: DisciplineThreshold, from: number, to: number) => {
    if (from < threshold.minDays && to >= threshold.minDays) {
      out.push({ threshold, direction: 'Up', notify: notifyFor(threshold.level) });
    } else if (from >= threshold.minDays && to < threshold.minDays) {
      out.push({ threshold, direction: 'Down', notify: notifyFor(threshold.level) });
    }
  };
  for (const threshold of table) check(threshold, before.tkDays, after.tkDays);
  check(consecutiveRule, before.longestTkRun, after.longestTkRun);
  return out.sort((a, b) => a.threshold.rank - b.threshold.rank);
}
