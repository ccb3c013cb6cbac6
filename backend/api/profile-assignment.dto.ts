/** Request schemas of the policy profile assignments (issue #11, point 5). */
import { z } from 'zod';
import { IsoDate } from './attendance.dto.ts';

const Id = z.string().min(1).max(64);

export const ProfileAssignmentCreate = z
  .object({
    unitId: Id.describe('the unit; its sub-units inherit the profile unless they have one of their own'),
    profileId: Id.describe('the policy profile lineage id (versions of it apply by their own dates)'),
    effectiveFrom: IsoDate.describe('first local date the assignment applies to'),
    effectiveTo: IsoDate.nullable()
      .optional()
      .describe('last local date it applies to (inclusive); omitted or null = open-ended'),
  })
  .strict();

export const ProfileAssignmentQuery = z.object({
  unitId: Id.optional().describe("only this unit's assignments (not its ancestors')"),
});

export const UnitProfileQuery = z.object({
  date: IsoDate.optional().describe('the local date (YYYY-MM-DD); default: today (WIB)'),
});

export const ProfileAssignmentView = z.object({
  id: z.string(),
  unitId: z.string(),
  profileId: z.string(),
  effectiveFrom: z.string(),
  effectiveTo: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
});

export const UnitProfileView = z.object({
  unitId: z.string(),
  date: z.string(),
  profile: z.object({
    id: z.string().describe('lineage id'),
    version: z.number().int(),
    name: z.string(),
    effectiveFrom: z.string(),
    legalBasis: z.string(),
  }),
  source: z.enum(['Assignment', 'Default']).describe('Default: no unit up the tree has an assignment'),
  inheritedFrom: z
    .string()
    .nullable()
    .describe('the unit whose assignment applies (this one or an ancestor); null for the default'),
  assignmentId: z.string().nullable(),
});
