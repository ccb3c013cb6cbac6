/**
 * No punch vanishes (RULES.md, "Punches outside the punch window"): which punches of a day count,
 * and, over many days, every punch is the arrival, the departure or listed with a reason on
 * exactly one day.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  computeDailyStatus,
  DEFAULT_OFFICE_SCHEDULE,
  DEFAULT_POLICY_PROFILE,
  DUPLICATE_PUNCH_MINUTES,
  EMPTY_CALENDAR,
  type IsoDate,
  splitWindowPunches,
  type WorkSchedule,
} from '../../backend/domain/index.ts';
import { at, WIB, WIT } from './helpers.ts';

const MIN = 60_000;
const MON = '2024-07-01';

describe('splitWindowPunches', () => {
  const t = (hhmm: string) => at(MON, hhmm);
  it.each([
    ['nothing', [], [], []],
    ['one punch', ['07:20'], ['07:20'], []],
    ['arrival and departure', ['07:20', '16:05'], ['07:20', '16:05'], []],
    [
      'a repeat within minutes of the first',
      ['07:20', '07:22', '16:05'],
      ['07:20', '16:05'],
      [[1, 'Duplicate']],
    ],
    ['the same instant twice', ['07:20', '16:05', '16:05'], ['07:20', '16:05'], [[2, 'Duplicate']]],
    ['a punch between', ['07:20', '12:00', '16:05'], ['07:20', '12:00', '16:05'], [[1, 'Intermediate']]],
    // Only the first punch is repeated: two departures minutes apart are an intermediate and the last.
    ['two departures', ['07:20', '15:58', '16:01'], ['07:20', '15:58', '16:01'], [[1, 'Intermediate']]],
  ] as const)('%s', (_, punches, counted, ignored) => {
    const r = splitWindowPunches(punches.map(t));
    expect(r.counted).toEqual(counted.map(t));
    expect(r.ignored.map((x) => [x.index, x.reason])).toEqual(ignored);
  });

  it(`a repeat is under ${DUPLICATE_PUNCH_MINUTES} minutes after the first punch`, () => {
    const first = t('07:20');
    const limit = first + DUPLICATE_PUNCH_MINUTES * MIN;
    expect(splitWindowPunches([first, limit - 1]).ignored).toEqual([{ index: 1, reason: 'Duplicate' }]);
    expect(splitWindowPunches([first, limit]).ignored).toEqual([]);
  });
});

describe('every punch is used or listed on exactly one day', () => {
  const night: WorkSchedule = {
    id: 'night',
    name: 'Night',
    pattern: {
      kind: 'Cycle',
      anchorDate: '2024-07-01',
      slots: [{ start: '22:00', end: '06:00' }, { start: '07:00', end: '14:00' }, null],
    },
    punchWindow: { kind: 'Relative', beforeStartMinutes: 180, afterEndMinutes: 180 },
    observesHolidays: false,
    followsSpecialPeriods: false,
  };
  const FROM: IsoDate = '2024-07-08';
  const DAYS = 10;
  // Punches of the 10 days from the 8th, whole minutes or not, some of them repeated.
  const punch = fc.integer({ min: 0, max: DAYS * 1440 * MIN - 1 }).map((ms) => at(FROM, '00:00', WIB) + ms);

  it.each([
    ['office hours, WIB', DEFAULT_OFFICE_SCHEDULE, WIB],
    ['a rotating night shift, WIT', night, WIT],
  ])('%s', (_, schedule, timeZone) => {
    fc.assert(
      fc.property(
        fc.array(punch, { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 5 }),
        (punches, twins) => {
          const all = [
            ...punches,
            ...twins.flatMap((i) => (punches.length ? [punches[i % punches.length] as number] : [])),
          ];
          const seen = new Map<number, number>();
          const note = (v: number | null) => {
            if (v !== null) seen.set(v, (seen.get(v) ?? 0) + 1);
          };
          // The days around the punches' dates, so that every day a punch may belong to is computed.
          for (let k = -2; k < DAYS + 2; k++) {
            const rec = computeDailyStatus({
              workDate: addDays(FROM, k),
              timeZone,
              schedule,
              calendar: EMPTY_CALENDAR,
              punches: all,
              profile: DEFAULT_POLICY_PROFILE,
            });
            note(rec.arrival);
            note(rec.departure);
            for (const p of rec.ignoredPunches) note(p.at);
          }
          const expected = new Map<number, number>();
          for (const v of all) expected.set(v, (expected.get(v) ?? 0) + 1);
          expect(seen).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});
