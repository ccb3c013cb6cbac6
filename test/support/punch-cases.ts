/**
 * ONE table of punch cases that both the kiosk's on-the-spot status (terminal/punch-status.ts,
 * terminal/kiosk-screen.ts, fed by backend/attendance/kiosk-hours.ts) and the backend's day record
 * (computeDailyStatus) are tested against (test/unit/punch-status.test.ts). Each case: a schedule,
 * a zone, punches in the order taken with the text the kiosk shows for each, and the day record
 * once the day is over (RULES.md: default profile, window 06:00–18:00 for office hours).
 *
 * Week of the table: Mon 23 – Sun 29 November 2026; Thursday 26 is a holiday.
 */
import type { RulesContext } from '../../backend/attendance/rules-context.ts';
import {
  DEFAULT_OFFICE_SCHEDULE,
  DEFAULT_POLICY_PROFILE,
  type IgnoredPunchReason,
  type IsoDate,
  localToInstant,
  type WorkSchedule,
} from '../../backend/domain/index.ts';

export type Zone = 'Asia/Jakarta' | 'Asia/Makassar' | 'Asia/Jayapura';

export interface PunchCase {
  name: string;
  schedule: 'office' | 'night';
  zone: Zone;
  /** The work date whose record the case is about; every punch of the case belongs to it. */
  date: IsoDate;
  /** In the order taken: local time 'HH:MM[:SS]' on `date`, or 'YYYY-MM-DD HH:MM'; the kiosk's text. */
  punches: ReadonlyArray<{ at: string; kiosk: string }>;
  /** The day record once the day is over (times local, as in `punches`). */
  record: {
    status: 'Present' | 'Absent' | 'OffDay' | 'Holiday';
    codes: readonly string[];
    arrival: string | null;
    departure: string | null;
    ignored: ReadonlyArray<{ at: string; reason: IgnoredPunchReason }>;
  };
}

export const NIGHT_SCHEDULE: WorkSchedule = {
  id: 'night',
  name: 'Night shift 22:00–06:00',
  pattern: {
    kind: 'Weekly',
    hours: Object.fromEntries(
      (['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const).map((d) => [
        d,
        { start: '22:00', end: '06:00' },
      ]),
    ),
  },
  punchWindow: { kind: 'Relative', beforeStartMinutes: 120, afterEndMinutes: 240 },
  observesHolidays: false,
  followsSpecialPeriods: false,
};

export const HOLIDAY: IsoDate = '2026-11-26';
/** The employee on the night shift; anybody else follows the default office hours. */
export const NURSE = '199001012020121001';
export const CLERK = '199001012020121002';

export function employeeFor(c: PunchCase) {
  return { nip: c.schedule === 'night' ? NURSE : CLERK, unitId: 'u1', siteId: 's1' };
}

/** The rules context of the table, in a site's zone. */
export function caseContext(zone: Zone): RulesContext {
  return {
    schedules: new Map([
      [DEFAULT_OFFICE_SCHEDULE.id, DEFAULT_OFFICE_SCHEDULE],
      [NIGHT_SCHEDULE.id, NIGHT_SCHEDULE],
    ]),
    assignments: [
      {
        scheduleId: NIGHT_SCHEDULE.id,
        target: { kind: 'Employee', employeeId: NURSE },
        effectiveFrom: '2026-01-01',
        effectiveTo: null,
      },
    ],
    calendar: {
      holidays: [{ date: HOLIDAY, name: 'Test holiday', kind: 'NationalHoliday' }],
      specialPeriods: [],
    },
    profiles: [DEFAULT_POLICY_PROFILE],
    unitParents: new Map([['u1', null]]),
    siteZones: new Map([['s1', zone]]),
    positionAmounts: new Map(),
    pendingSince: new Map(),
  };
}

/** Epoch ms of a case time ('HH:MM[:SS]' on the case date, or 'YYYY-MM-DD HH:MM[:SS]'). */
export function caseInstant(c: Pick<PunchCase, 'date' | 'zone'>, at: string): number {
  const [date, time] = at.includes(' ') ? (at.split(' ') as [IsoDate, string]) : [c.date, at];
  const [h = 0, m = 0, s = 0] = time.split(':').map(Number);
  return localToInstant(date, h * 60 + m, c.zone) + s * 1000;
}

const T = {
  onTime: 'Tepat waktu / On time',
  leftOnTime: 'Pulang tepat waktu / Left on time',
  late: (m: number) => `Terlambat ${m} menit / ${m} min late`,
  early: (m: number) => `Pulang lebih awal ${m} menit / Left ${m} min early`,
  outside: 'Di luar jam absen / Outside punch hours',
  repeat: 'Sudah tercatat / Already recorded',
  notWorkDay: 'Bukan hari kerja / Not a work day',
};

const WED: IsoDate = '2026-11-25';
const WIB: Zone = 'Asia/Jakarta';

/** An office day on Wednesday in WIB: arrival and departure, each with the kiosk's text. */
function officeDay(
  name: string,
  arrival: [string, string],
  departure: [string, string],
  codes: readonly string[],
  over: Partial<PunchCase> = {},
): PunchCase {
  return {
    name,
    schedule: 'office',
    zone: WIB,
    date: WED,
    punches: [
      { at: arrival[0], kiosk: arrival[1] },
      { at: departure[0], kiosk: departure[1] },
    ],
    record: { status: 'Present', codes, arrival: arrival[0], departure: departure[0], ignored: [] },
    ...over,
  };
}

export const PUNCH_CASES: readonly PunchCase[] = [
  officeDay('on time', ['07:20', T.onTime], ['16:05', T.leftOnTime], []),
  officeDay(
    '07:30:59 is on time, 16:00:00 is not early',
    ['07:30:59', T.onTime],
    ['16:00', T.leftOnTime],
    [],
  ),
  officeDay('TL1: 07:31:00 is one minute late', ['07:31', T.late(1)], ['16:00', T.leftOnTime], ['TL1']),
  officeDay('TL1 upper bound: 30 minutes', ['08:00', T.late(30)], ['16:00', T.leftOnTime], ['TL1']),
  officeDay('TL2: 40 minutes late', ['08:10', T.late(40)], ['16:00', T.leftOnTime], ['TL2']),
  officeDay('TL3: 75 minutes late', ['08:45', T.late(75)], ['16:00', T.leftOnTime], ['TL3']),
  officeDay('TL4: 121 minutes late', ['09:31', T.late(121)], ['16:00', T.leftOnTime], ['TL4']),
  officeDay('PSW1: 15 minutes early', ['07:25', T.onTime], ['15:45', T.early(15)], ['PSW1']),
  officeDay('PSW1: 15:59:01 is one minute early', ['07:25', T.onTime], ['15:59:01', T.early(1)], ['PSW1']),
  officeDay('PSW2: 45 minutes early', ['07:25', T.onTime], ['15:15', T.early(45)], ['PSW2']),
  officeDay('PSW3: 75 minutes early', ['07:25', T.onTime], ['14:45', T.early(75)], ['PSW3']),
  officeDay('PSW4: 120 minutes early', ['07:25', T.onTime], ['14:00', T.early(120)], ['PSW4']),
  officeDay(
    'TL2 and PSW1 on a Friday (until 16:30)',
    ['08:05', T.late(35)],
    ['16:20', T.early(10)],
    ['TL2', 'PSW1'],
    {
      date: '2026-11-27',
    },
  ),
  {
    name: 'a second arrival two minutes later is a duplicate',
    schedule: 'office',
    zone: WIB,
    date: WED,
    punches: [
      { at: '07:20', kiosk: T.onTime },
      { at: '07:22', kiosk: T.repeat },
      { at: '16:05', kiosk: T.leftOnTime },
    ],
    record: {
      status: 'Present',
      codes: [],
      arrival: '07:20',
      departure: '16:05',
      ignored: [{ at: '07:22', reason: 'Duplicate' }],
    },
  },
  {
    name: 'a punch at noon is the departure so far, then between arrival and departure',
    schedule: 'office',
    zone: WIB,
    date: WED,
    punches: [
      { at: '07:20', kiosk: T.onTime },
      { at: '12:00', kiosk: T.early(240) },
      { at: '16:05', kiosk: T.leftOnTime },
    ],
    record: {
      status: 'Present',
      codes: [],
      arrival: '07:20',
      departure: '16:05',
      ignored: [{ at: '12:00', reason: 'Intermediate' }],
    },
  },
  {
    name: 'a second departure: the last one counts',
    schedule: 'office',
    zone: WIB,
    date: WED,
    punches: [
      { at: '07:20', kiosk: T.onTime },
      { at: '15:50', kiosk: T.early(10) },
      { at: '16:02', kiosk: T.leftOnTime },
    ],
    record: {
      status: 'Present',
      codes: [],
      arrival: '07:20',
      departure: '16:02',
      ignored: [{ at: '15:50', reason: 'Intermediate' }],
    },
  },
  {
    name: 'a punch before the window opens (05:30) is outside it',
    schedule: 'office',
    zone: WIB,
    date: WED,
    punches: [
      { at: '05:30', kiosk: T.outside },
      { at: '07:25', kiosk: T.onTime },
      { at: '16:10', kiosk: T.leftOnTime },
    ],
    record: {
      status: 'Present',
      codes: [],
      arrival: '07:25',
      departure: '16:10',
      ignored: [{ at: '05:30', reason: 'OutsideWindow' }],
    },
  },
  ...(['Asia/Jakarta', 'Asia/Jayapura'] as const).map(
    (zone): PunchCase => ({
      name: `07:20 and 23:10 (${zone}): no departure (PSW4), 23:10 outside the window`,
      schedule: 'office',
      zone,
      date: WED,
      punches: [
        { at: '07:20', kiosk: T.onTime },
        { at: '23:10', kiosk: T.outside },
      ],
      record: {
        status: 'Present',
        codes: ['PSW4'],
        arrival: '07:20',
        departure: null,
        ignored: [{ at: '23:10', reason: 'OutsideWindow' }],
      },
    }),
  ),
  {
    name: 'a lone punch after the midpoint is a departure: no arrival (TL4) and early (PSW4)',
    schedule: 'office',
    zone: WIB,
    date: WED,
    punches: [{ at: '13:00', kiosk: T.early(180) }],
    record: { status: 'Present', codes: ['TL4', 'PSW4'], arrival: null, departure: '13:00', ignored: [] },
  },
  officeDay('WITA: 07:45 is 15 minutes late', ['07:45', T.late(15)], ['16:00', T.leftOnTime], ['TL1'], {
    zone: 'Asia/Makassar',
  }),
  {
    name: 'night shift 22:00–06:00 across midnight, on time',
    schedule: 'night',
    zone: WIB,
    date: '2026-11-24',
    punches: [
      { at: '21:50', kiosk: T.onTime },
      { at: '2026-11-25 06:05', kiosk: T.leftOnTime },
    ],
    record: { status: 'Present', codes: [], arrival: '21:50', departure: '2026-11-25 06:05', ignored: [] },
  },
  {
    name: 'night shift: 5 minutes late, 10 minutes early',
    schedule: 'night',
    zone: WIB,
    date: '2026-11-24',
    punches: [
      { at: '22:05', kiosk: T.late(5) },
      { at: '2026-11-25 05:50', kiosk: T.early(10) },
    ],
    record: {
      status: 'Present',
      codes: ['TL1', 'PSW1'],
      arrival: '22:05',
      departure: '2026-11-25 05:50',
      ignored: [],
    },
  },
  {
    name: 'night shift: a punch at noon is in no window',
    schedule: 'night',
    zone: WIB,
    date: WED,
    punches: [{ at: '12:00', kiosk: T.outside }],
    record: {
      status: 'Absent',
      codes: ['TK'],
      arrival: null,
      departure: null,
      ignored: [{ at: '12:00', reason: 'OutsideWindow' }],
    },
  },
  {
    name: 'the night shift works on the holiday',
    schedule: 'night',
    zone: WIB,
    date: HOLIDAY,
    punches: [
      { at: '21:55', kiosk: T.onTime },
      { at: '2026-11-27 06:00', kiosk: T.leftOnTime },
    ],
    record: { status: 'Present', codes: [], arrival: '21:55', departure: '2026-11-27 06:00', ignored: [] },
  },
  {
    name: 'a punch on a holiday',
    schedule: 'office',
    zone: WIB,
    date: HOLIDAY,
    punches: [{ at: '07:25', kiosk: T.notWorkDay }],
    record: {
      status: 'Holiday',
      codes: [],
      arrival: null,
      departure: null,
      ignored: [{ at: '07:25', reason: 'NotAWorkDay' }],
    },
  },
  {
    name: 'a punch on a Saturday',
    schedule: 'office',
    zone: WIB,
    date: '2026-11-28',
    punches: [{ at: '08:00', kiosk: T.notWorkDay }],
    record: {
      status: 'OffDay',
      codes: [],
      arrival: null,
      departure: null,
      ignored: [{ at: '08:00', reason: 'NotAWorkDay' }],
    },
  },
  {
    name: 'no punch at all is TK',
    schedule: 'office',
    zone: WIB,
    date: WED,
    punches: [],
    record: { status: 'Absent', codes: ['TK'], arrival: null, departure: null, ignored: [] },
  },
];
