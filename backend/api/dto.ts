import { z } from 'zod';
import { KioskFile } from '../../protocol/index.ts';
import { END_REASONS, isIsoDate } from '../domain/index.ts';
import { SafeName } from './text.dto.ts';

export const LoginBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

export const Nip = z
  .string()
  .regex(/^\d{18}$/, 'NIP must be 18 digits')
  .describe('Nomor Induk Pegawai (18 digits)');

export const EmployeeCreate = z
  .object({
    nip: Nip,
    name: SafeName(200),
    kind: z.enum(['PNS', 'PPPK']).default('PNS'),
    unitId: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe('defaults to the default unit (or the caller’s unit)'),
    active: z.boolean().default(true),
    startDate: z
      .string()
      .refine(isIsoDate, 'must be a valid date YYYY-MM-DD')
      .optional()
      .describe('TMT, first day in service (inclusive); default: today in the site’s zone'),
    endDate: z
      .string()
      .refine(isIsoDate, 'must be a valid date YYYY-MM-DD')
      .optional()
      .describe('last day in service (inclusive)'),
    endReason: z.enum(END_REASONS).optional().describe('why the employment ends'),
    siteId: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe('home site (zone, kiosks); default site when absent'),
    superiorNip: Nip.optional().describe('direct superior (atasan langsung)'),
    positionClass: z.number().int().min(1).max(30).optional().describe('kelas jabatan'),
    baseAmount: z.number().int().min(0).max(2_000_000_000).optional().describe('monthly TPP, integer rupiah'),
  })
  .strict();

export const EmployeeQuery = z.object({
  unitId: z.string().optional(),
  q: z.string().max(100).optional(),
  take: z.coerce.number().int().min(1).max(1000).default(200),
});

export const TerminalCreate = z
  .object({
    name: SafeName(100),
    siteId: z.string().min(1).max(64).optional().describe('defaults to the default site'),
  })
  .strict();

export const TerminalRegistered = z.object({
  id: z.string(),
  name: z.string(),
  siteId: z.string(),
  mqtt: z.object({ url: z.string(), username: z.string(), password: z.string() }),
  kiosk: KioskFile.describe(
    'the same, as the kiosk reads it: save it (or this whole answer) and run `npm run terminal -- --config FILE`',
  ),
});
export type TerminalRegistered = z.infer<typeof TerminalRegistered>;

export const EventsQuery = z.object({
  employeeId: z.string().max(32).optional(),
  terminalId: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  unknownEmployee: z
    .stringbool()
    .optional()
    .describe('true: only punches of a NIP that is no known employee (kept, never counted)'),
  clockSkew: z.stringbool().optional().describe('true: only punches from a kiosk whose clock was off'),
  take: z.coerce.number().int().min(1).max(10_000).default(1000),
});
