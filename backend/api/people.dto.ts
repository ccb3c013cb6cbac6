/** Employees over time: the bodies of PATCH /api/employees/:nip and its deactivation. */
import { z } from 'zod';
import { END_REASONS } from '../domain/index.ts';
import { IsoDate } from './attendance.dto.ts';
import { Nip } from './dto.ts';
import { SafeName } from './text.dto.ts';

const Id = z.string().min(1).max(64);
export const EndReason = z.enum(END_REASONS).describe('why the employment ended');
export const PositionClass = z.number().int().min(1).max(30).describe('kelas jabatan');
export const BaseAmount = z.number().int().min(0).max(2_000_000_000).describe('monthly TPP, integer rupiah');

export const EmployeeUpdate = z
  .object({
    name: SafeName(200).optional(),
    kind: z.enum(['PNS', 'PPPK']).optional(),
    startDate: IsoDate.nullable().optional().describe('TMT, first day in service (inclusive)'),
    endDate: IsoDate.nullable()
      .optional()
      .describe('last day in service (inclusive); null: still in service'),
    endReason: EndReason.nullable().optional(),
    unitId: Id.optional().describe('dated: the unit from effectiveFrom on'),
    siteId: Id.nullable().optional().describe('dated: the home site (zone, kiosks); null = default site'),
    superiorNip: Nip.nullable().optional().describe('dated: direct superior (atasan langsung)'),
    positionClass: PositionClass.nullable().optional().describe('dated: kelas jabatan'),
    baseAmount: BaseAmount.nullable().optional().describe('dated: monthly TPP, integer rupiah'),
    scheduleId: Id.optional().describe('dated: the work schedule from effectiveFrom on'),
    effectiveFrom: IsoDate.optional().describe(
      'first day the dated fields apply (YYYY-MM-DD); required with any of them',
    ),
  })
  .strict();

export const EmployeeDeactivate = z
  .object({
    endDate: IsoDate.optional().describe('last day in service (inclusive); default today'),
    endReason: EndReason,
  })
  .strict();
