/** Request schemas of the attendance, calendar, leave, allowance, discipline and profile routes. */
import { z } from 'zod';
import {
  dayNumber,
  IGNORED_PUNCH_REASONS,
  type IgnoredPunchReason,
  isIsoDate,
  isIsoMonth,
} from '../domain/index.ts';
import { Nip } from './dto.ts';

export const IsoDate = z.string().refine(isIsoDate, 'must be a valid date YYYY-MM-DD');
export const IsoMonth = z.string().refine(isIsoMonth, 'must be a month YYYY-MM');
const Id = z.string().min(1).max(64);
const Instant = z.iso.datetime({ offset: true });

const DAY_STATUSES = ['Present', 'Absent', 'Excused', 'Pending', 'Open', 'OffDay', 'Holiday'] as const;

const span = (maxDays: number) => (r: { from: string; to: string }) =>
  !isIsoDate(r.from) || !isIsoDate(r.to) || (r.from <= r.to && dayNumber(r.to) - dayNumber(r.from) < maxDays);

export const DaysQuery = z
  .object({
    from: IsoDate,
    to: IsoDate,
    unitId: Id.optional(),
    employeeId: z.string().max(32).optional(),
    status: z.enum(DAY_STATUSES).optional(),
    code: z.string().max(16).optional().describe('a day code: TL1…TL4, PSW1…PSW4, TK, CT, CS, DL…'),
    take: z.coerce.number().int().min(1).max(50_000).default(10_000),
  })
  .refine(span(93), { message: 'from..to: at most 93 days, from first', path: ['to'] });

const reasonList = Object.entries(IGNORED_PUNCH_REASONS)
  .map(([k, v]) => `${k}: ${v}`)
  .join('; ');

/** One stored punch of the day that the rules did not use (RULES.md: no punch vanishes). */
export const IgnoredPunchView = z.object({
  at: Instant.describe('when the punch was taken (kiosk clock), ISO 8601'),
  eventId: z
    .string()
    .nullable()
    .describe('the stored kiosk event (GET /api/attendance/events); null for a punch an admin added'),
  terminalId: z.string().optional().describe('the kiosk that took it'),
  correctionId: z.string().optional().describe('the correction that added it, for a punch an admin added'),
  reason: z
    .enum(Object.keys(IGNORED_PUNCH_REASONS) as [IgnoredPunchReason, ...IgnoredPunchReason[]])
    .describe(`why the day does not use it: ${reasonList}`),
  text: z.string().describe('the reason in words'),
});

/** A day record as GET /api/attendance returns it. */
export const DayRecordView = z.object({
  employeeId: z.string().describe('NIP'),
  unitId: z.string(),
  workDate: IsoDate.describe('the work date in the site’s zone (a night shift belongs to its start date)'),
  status: z.enum(DAY_STATUSES),
  codes: z.array(z.string()).describe('day codes: TL1…TL4, PSW1…PSW4, TK, or the leave code'),
  deductionBp: z.number().int().describe('deduction of the monthly allowance, basis points'),
  lateMinutes: z.number().int().nullable(),
  countedLateMinutes: z.number().int().describe('lateness left after grace, make-up and permits'),
  earlyMinutes: z.number().int().nullable(),
  arrival: Instant.nullable().describe('the first punch in the day’s punch window (repeats aside)'),
  departure: Instant.nullable().describe('the last punch in the window; null without one (PSW4 by default)'),
  scheduleId: z.string(),
  scheduledStart: Instant.nullable(),
  scheduledEnd: Instant.nullable(),
  provisional: z.boolean().describe('may still change (open day, or a kiosk still holds punches)'),
  excused: z.boolean(),
  leave: z.looseObject({}).nullable(),
  deductions: z.array(z.object({ kind: z.string(), code: z.string(), bp: z.number().int() })),
  reasons: z.array(z.looseObject({ code: z.string(), text: z.string() })),
  ignoredPunches: z
    .array(IgnoredPunchView)
    .describe(
      'every stored punch of the day that is neither its arrival nor its departure, with the reason; ' +
        'a punch in no day’s window belongs to its local date',
    ),
  profile: z.object({ id: z.string(), version: z.number().int() }),
  computedAt: Instant.nullable(),
});

export const CorrectionCreate = z
  .object({
    employeeId: Nip,
    action: z
      .enum(['Add', 'Void'])
      .describe('Add a punch at `at`, or Void the punch `eventId` (or every punch at `at`)'),
    at: Instant.optional(),
    eventId: z.string().min(1).max(64).optional(),
    reason: z.string().trim().min(5).max(500).describe('why: kept in the audit trail'),
  })
  .strict();

export const CorrectionsQuery = z.object({
  employeeId: z.string().max(32).optional(),
  from: Instant.or(IsoDate).optional(),
  to: Instant.or(IsoDate).optional(),
});

export const RecomputeBody = z
  .object({ from: IsoDate, to: IsoDate, unitId: Id.optional(), employeeId: Nip.optional() })
  .strict();

export const EmployeeAttendanceSettings = z
  .object({
    siteId: Id.nullable().optional().describe('the site whose zone and kiosks count; null = default site'),
    superiorNip: Nip.nullable().optional().describe('direct superior (atasan langsung)'),
    baseAmount: z
      .number()
      .int()
      .min(0)
      .max(2_000_000_000)
      .nullable()
      .optional()
      .describe('monthly TPP, rupiah'),
    positionClass: z.number().int().min(1).max(30).nullable().optional().describe('kelas jabatan'),
  })
  .strict();

export const HolidaysQuery = z.object({ from: IsoDate.optional(), to: IsoDate.optional() });

export const LeaveCreate = z
  .object({
    employeeId: Nip,
    kind: z
      .string()
      .min(1)
      .max(40)
      .describe('AnnualLeave, SickLeave, OfficialTravel, DutyOutside… (profile leave rules)'),
    from: IsoDate,
    to: IsoDate,
    part: z.enum(['FullDay', 'LateArrival', 'EarlyDeparture']).optional(),
    documented: z.boolean().optional().describe('a supporting letter is on file'),
    note: z.string().max(1000).optional(),
  })
  .strict()
  .refine(span(367), { message: 'from..to: at most 367 days, from first', path: ['to'] });

export const LeavePatch = z
  .object({
    kind: z.string().min(1).max(40).optional(),
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    part: z.enum(['FullDay', 'LateArrival', 'EarlyDeparture']).optional(),
    documented: z.boolean().optional(),
    note: z.string().max(1000).optional(),
  })
  .strict();

export const LeaveDecision = z
  .object({ approval: z.enum(['Approved', 'Rejected', 'Cancelled']), documented: z.boolean().optional() })
  .strict();

export const LeaveQuery = z.object({
  employeeId: z.string().max(32).optional(),
  from: IsoDate.optional(),
  to: IsoDate.optional(),
  approval: z.enum(['Pending', 'Approved', 'Rejected', 'Cancelled']).optional(),
});

export const AllowanceQuery = z.object({
  month: IsoMonth,
  unitId: Id.optional(),
  employeeId: z.string().max(32).optional(),
  format: z
    .enum(['json', 'csv', 'csv-lines'])
    .default('json')
    .describe('csv: one line per employee; csv-lines: one line per deduction'),
});

export const MonthBody = z.object({ month: IsoMonth, unitId: Id.optional() }).strict();

export const AdjustmentsQuery = z.object({
  month: IsoMonth.optional(),
  employeeId: z.string().max(32).optional(),
});

export const PositionAmount = z.object({ amount: z.number().int().min(0).max(2_000_000_000) }).strict();
export const PositionClass = z.coerce.number().int().min(1).max(30);

export const DisciplineQuery = z.object({
  state: z.enum(['Open', 'Decided', 'All']).default('Open').describe('the case state; All for every case'),
  year: z.coerce.number().int().min(2000).max(2100).optional().describe('the calendar year of the count'),
  employeeId: z.string().max(32).optional().describe("the employee's NIP"),
});

export const DisciplineDecision = z
  .object({
    decision: z.string().trim().min(3).max(2000).describe('the decision taken, as recorded'),
    sanction: z
      .enum([
        'VerbalWarning',
        'WrittenWarning',
        'WrittenStatementOfDissatisfaction',
        'AllowanceCut25For6Months',
        'AllowanceCut25For9Months',
        'AllowanceCut25For12Months',
        'Demotion12Months',
        'RemovalFromPosition12Months',
        'HonourableDismissalNotAtOwnRequest',
        'DismissalSalaryStopsNextMonth',
      ])
      .optional()
      .describe('the sanction imposed, when it differs from the recommendation'),
    threshold: z
      .string()
      .max(32)
      .optional()
      .describe(
        "the case's threshold the decision is made for (e.g. 'Cumulative:14'); refused with 409 if the case escalated meanwhile",
      ),
  })
  .strict();
