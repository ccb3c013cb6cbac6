/** The answers of `/api/reports/*`, for the OpenAPI document. */
import { z } from 'zod';

const Entry = {
  nip: z.string().describe("the employee's NIP"),
  name: z.string(),
  provisional: z.boolean().describe('the day may still change (kiosk punches not yet sent)'),
};

const LateEntryOut = z.object({
  ...Entry,
  code: z
    .string()
    .describe(
      "the day's code in its policy profile: a lateness bracket (TL1–TL4 by default) or the missing " +
        'clock-in code (late list); an early-departure bracket (PSW1–PSW4) or the missing clock-out code',
    ),
  minutes: z.number().int().nullable().describe('measured minutes; null for a missing clock-in or clock-out'),
  at: z.string().nullable().describe('the arrival (late list) or departure (early list), ISO 8601'),
});

const AbsentEntryOut = z.object({
  ...Entry,
  code: z.string().describe("the absent code of the day's policy profile (TK by default)"),
});

export const LatenessReportOut = z.object({
  date: z.string().describe('the work date, YYYY-MM-DD'),
  workingEmployees: z.number().int().describe('employees with a working day on that date'),
  totals: z.object({
    late: z.number().int(),
    earlyLeave: z.number().int(),
    absent: z.number().int(),
    employees: z.number().int().describe('employees listed at least once'),
  }),
  units: z.array(
    z.object({
      unitId: z.string(),
      unitName: z.string(),
      late: z.array(LateEntryOut).describe('late arrivals and missing clock-ins, by the deduction kind'),
      earlyLeave: z.array(LateEntryOut).describe('early departures and missing clock-outs'),
      absent: z
        .array(AbsentEntryOut)
        .describe('days with status Absent: the same days the allowance (absentDates) and discipline count'),
    }),
  ),
});
