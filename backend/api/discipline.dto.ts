/** Answer schemas of `/api/discipline` (documentation in /api/openapi.json; the service builds the values). */
import { z } from 'zod';

const Notify = z
  .array(
    z.object({
      to: z.enum(['DirectSuperior', 'Bkd']),
      nip: z.string().nullable().optional().describe("the direct superior's NIP (DirectSuperior)"),
    }),
  )
  .describe('who is (or was) told');

const Level = z.enum(['Light', 'Medium', 'Heavy']);

export const DisciplineCaseOut = z.object({
  id: z.string(),
  employeeId: z.string().describe("the employee's NIP"),
  unitId: z.string(),
  year: z.number().int().describe('the calendar year of the count'),
  basis: z
    .enum(['Cumulative', 'Consecutive'])
    .describe('the rule: TK days in the year, or 10 TK working days in a row (a case of its own)'),
  threshold: z.string().describe("the current level's threshold, e.g. 'Cumulative:14', 'Consecutive:10'"),
  level: Level.describe('the current level'),
  sanction: z
    .string()
    .describe('the recommended sanction of the current level, e.g. AllowanceCut25For9Months'),
  label: z.string().describe('the sanction in Indonesian, for letters'),
  tkDays: z.number().int().describe('TK days in the year, as last counted'),
  longestRun: z.number().int().describe('longest run of TK working days, as last counted'),
  superiorNip: z.string().nullable(),
  notify: Notify,
  state: z.enum(['Open', 'Decided']),
  reviewNeeded: z
    .boolean()
    .describe('a correction took the count below the current level: a person reviews; never downgraded'),
  previousCaseId: z
    .string()
    .nullable()
    .describe(
      'the decided case of the same rule and year this one follows (a heavier level after a decision)',
    ),
  decision: z.string().nullable(),
  decidedSanction: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  openedAt: z.string(),
});

export const DisciplineCaseLevelOut = z.object({
  threshold: z.string().describe("e.g. 'Cumulative:3'"),
  level: Level,
  sanction: z.string(),
  label: z.string(),
  tkDays: z.number().int().describe('TK days in the year when the level was recorded'),
  longestRun: z.number().int(),
  reachedOn: z.string().nullable().describe('the date (YYYY-MM-DD) of the TK day that reached the threshold'),
  reachedAt: z.string().describe('when the system recorded the level'),
  supersededAt: z
    .string()
    .nullable()
    .describe('when a heavier level superseded it; null for the current level'),
  notified: Notify.describe('who was told of this level; empty for a level passed in one evaluation'),
});

export const DisciplineCaseDetailOut = DisciplineCaseOut.extend({
  levels: z
    .array(DisciplineCaseLevelOut)
    .describe('the levels the case went through, lightest first, current last'),
});
