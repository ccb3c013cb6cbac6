/** Request schemas of the attendance, calendar, leave, allowance, discipline and profile routes. */
import { z } from 'zod';
import { dayNumber, isIsoDate, isIsoMonth } from '../domain/index.ts';
import { Nip } from './dto.ts';

export const IsoDate = z.string().refine(isIsoDate, 'must be a valid date YYYY-MM-DD');
export const IsoMonth = z.string().refine(isIsoMonth, 'must be a month YYYY-MM');
const Id = z.string().min(1).max(64);
const Instant = z.iso.datetime({ offset: true });

const span = (maxDays: number) => (r: { from: string; to: string }) =>
  !isIsoDate(r.from) || !isIsoDate(r.to) || (r.from <= r.to && dayNumber(r.to) - dayNumber(r.from) < maxDays);

export const DaysQuery = z
  .object({
    from: IsoDate,
    to: IsoDate,
    unitId: Id.optional(),
    employeeId: z.string().max(32).optional(),
    status: z.enum(['Present', 'Absent', 'Excused', 'Pending', 'Open', 'OffDay', 'Holiday']).optional(),
    code: z.string().max(16).optional().describe('a day code: TL1…TL4, PSW1…PSW4, TK, CT, CS, DL…'),
    take: z.coerce.number().int().min(1).max(50_000).default(10_000),
  })
  .refine(span(93), { message: 'from..to: at most 93 days, from first', path: ['to'] });

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
