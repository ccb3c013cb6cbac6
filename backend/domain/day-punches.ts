/**
 * Which punches of a day the rules count, and why the others are not counted. No punch vanishes
 * (RULES.md, "Punches outside the punch window"): every punch of the day that is neither the
 * arrival nor the departure is listed on the day with its reason. Shared by `computeDailyStatus`
 * and the month close's fast path, and mirrored by the kiosk's on-the-spot status
 * (terminal/punch-status.ts) so that both say the same of every punch.
 *
 * - A punch belongs to the day whose (effective) punch window holds it. A punch in no window
 *   belongs to its local date: 'OutsideWindow' on a work day, 'NotAWorkDay' on a day off.
 * - In the window, a punch less than `DUPLICATE_PUNCH_MINUTES` after the day's first punch, or at
 *   the very instant of the punch before it, repeats it: 'Duplicate'.
 * - Of the punches left, the first is the arrival and the last the departure; any between them is
 *   'Intermediate' (a lunch break, an errand: neither starts nor ends the day).
 */
import type { IgnoredPunchReason } from './daily-record.ts';
import { MINUTE_MS } from './local-date.ts';

/** A second punch this soon after the day's first one repeats it (a person unsure it was taken). */
export const DUPLICATE_PUNCH_MINUTES = 5;
const DUPLICATE_MS = DUPLICATE_PUNCH_MINUTES * MINUTE_MS;

/** The reason of every value that `IgnoredPunchReason` can take, for the API's documentation. */
export const IGNORED_PUNCH_REASONS: Readonly<Record<IgnoredPunchReason, string>> = Object.freeze({
  OutsideWindow: 'outside the day’s punch window (e.g. 06:00–18:00): neither arrival nor departure',
  NotAWorkDay: 'on a day off or a holiday of the employee’s schedule',
  Duplicate: `repeats a punch: within ${DUPLICATE_PUNCH_MINUTES} minutes after the day’s first punch, or at the same instant as another`,
  Intermediate: 'between the arrival (first punch) and the departure (last punch) of the day',
  OutsideEmployment:
    'on a day before the employee’s start date or after their end date: not a working day for them',
});

/** Where a punch in the window stands. */
export interface WindowPunches {
  /** The punches left once repeats are out (ascending): the first is the arrival, the last the departure. */
  counted: readonly number[];
  /** Indexes (into the input) and reasons of the punches not used; empty when all count. */
  ignored: ReadonlyArray<{ index: number; reason: IgnoredPunchReason }>;
}

const NONE: readonly never[] = Object.freeze([]);

/**
 * Splits the punches inside a day's window (ascending, equal instants allowed) into the counted
 * ones and the ignored ones. Allocation-free for the usual day (two punches well apart).
 */
export function splitWindowPunches(punches: readonly number[]): WindowPunches {
  const n = punches.length;
  if (n <= 1) return { counted: punches, ignored: NONE };
  const first = punches[0] as number;
  if (n === 2 && (punches[1] as number) - first >= DUPLICATE_MS) return { counted: punches, ignored: NONE };
  const keep: number[] = [];
  const ignored: Array<{ index: number; reason: IgnoredPunchReason }> = [];
  for (let i = 0; i < n; i++) {
    const p = punches[i] as number;
    if (i > 0 && (p - first < DUPLICATE_MS || p === punches[i - 1])) {
      ignored.push({ index: i, reason: 'Duplicate' });
    } else keep.push(i);
  }
  for (let k = 1; k < keep.length - 1; k++)
    ignored.push({ index: keep[k] as number, reason: 'Intermediate' });
  ignored.sort((a, b) => a.index - b.index);
  return { counted: keep.map((i) => punches[i] as number), ignored };
}
