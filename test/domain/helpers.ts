/** Small builders shared by the domain tests. */
import {
  type Calendar,
  computeDailyStatus,
  type DailyRecord,
  type DailyStatusInput,
  DEFAULT_OFFICE_SCHEDULE,
  DEFAULT_POLICY_PROFILE,
  EMPTY_CALENDAR,
  localToInstant,
  type PolicyProfile,
} from '../../backend/domain/index.ts';

export const WIB = 'Asia/Jakarta';
export const WITA = 'Asia/Makassar';
export const WIT = 'Asia/Jayapura';

/** Epoch ms of a local wall-clock time 'HH:MM' or 'HH:MM:SS' on a date. */
export function at(date: string, time: string, timeZone = WIB): number {
  const [h = 0, m = 0, s = 0] = time.split(':').map(Number);
  return localToInstant(date, h * 60 + m, timeZone) + s * 1000;
}

export type DayOverrides = Partial<DailyStatusInput> & { times?: readonly string[] };

/** computeDailyStatus with the defaults: office schedule, WIB, empty calendar, default profile. */
export function day(workDate: string, overrides: DayOverrides = {}): DailyRecord {
  const { times = [], ...rest } = overrides;
  const timeZone = rest.timeZone ?? WIB;
  return computeDailyStatus({
    workDate,
    timeZone,
    schedule: DEFAULT_OFFICE_SCHEDULE,
    calendar: EMPTY_CALENDAR,
    profile: DEFAULT_POLICY_PROFILE,
    punches: times.map((t) => at(workDate, t, timeZone)),
    ...rest,
  });
}

/** A copy of the default profile with changes (what a region does by editing JSON). */
export function profileWith(change: (p: PolicyProfile) => void): PolicyProfile {
  const p = structuredClone(DEFAULT_POLICY_PROFILE) as PolicyProfile;
  change(p);
  return p;
}

export const calendar = (c: Partial<Calendar>): Calendar => ({ ...EMPTY_CALENDAR, ...c });

export const bpOf = (rec: DailyRecord, code: string): number =>
  rec.deductions.filter((d) => d.code === code).reduce((s, d) => s + d.bp, 0);

/** Mondays to Fridays of July 2024 (23 work days). */
export const JULY_2024_WORKDAYS: readonly string[] = Array.from(
  { length: 31 },
  (_, i) => `2024-07-${String(i + 1).padStart(2, '0')}`,
).filter((d) => {
  const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
  return wd >= 1 && wd <= 5;
});
