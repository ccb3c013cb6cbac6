/**
 * The CSV import's and export's reads in bulk (a few queries for a file of 10 000 rows, not a few
 * per row), and the new employees written a chunk at a time.
 */
import { randomUUID } from 'node:crypto';
import type { EmployeeCsvExportRow } from '../domain/employee-csv.ts';
import type { ImportCurrent, PlannedCreate } from '../domain/employee-import.ts';
import { type IsoDate, resolveScheduleId, type ScheduleAssignment } from '../domain/index.ts';
import type { Db } from '../repositories/db.ts';

/** Rows per `IN (…)` list: well under SQLite's and PostgreSQL's bound on parameters. */
const IN_CHUNK = 1000;

const EMPLOYEE = {
  nip: true,
  name: true,
  kind: true,
  unitId: true,
  siteId: true,
  superiorNip: true,
  positionClass: true,
  baseAmount: true,
  startDate: true,
  endDate: true,
  endReason: true,
} as const;

type OwnAssignment = {
  employeeId: string | null;
  scheduleId: string;
  effectiveFrom: string;
  effectiveTo: string | null;
};

export class EmployeeCsvRepository {
  constructor(private readonly db: Db) {}

  /** The stored employees among `nips`, with their dated history and their own schedules. */
  async current(nips: readonly string[]): Promise<Map<string, ImportCurrent>> {
    const out = new Map<string, ImportCurrent>();
    for (const part of chunks(nips, IN_CHUNK)) {
      const [rows, schedules] = await Promise.all([
        this.db.prisma.employee.findMany({
          where: { nip: { in: part } },
          select: {
            ...EMPLOYEE,
            assignments: {
              select: {
                effectiveFrom: true,
                unitId: true,
                siteId: true,
                superiorNip: true,
                positionClass: true,
                baseAmount: true,
              },
              orderBy: { effectiveFrom: 'asc' },
            },
          },
        }),
        this.ownSchedules(part),
      ]);
      for (const { assignments, ...r } of rows)
        out.set(r.nip, { ...r, history: assignments, schedules: schedules.get(r.nip) ?? [] });
    }
    return out;
  }

  /** Which of `nips` are stored employees. */
  async existing(nips: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (const part of chunks(nips, IN_CHUNK)) {
      const rows = await this.db.prisma.employee.findMany({
        where: { nip: { in: part } },
        select: { nip: true },
      });
      for (const r of rows) out.add(r.nip);
    }
    return out;
  }

  async unitIds(): Promise<Set<string>> {
    return new Set((await this.db.prisma.unit.findMany({ select: { id: true } })).map((u) => u.id));
  }

  async siteZones(): Promise<Map<string, string>> {
    const rows = await this.db.prisma.site.findMany({ select: { id: true, timeZone: true } });
    return new Map(rows.map((r) => [r.id, r.timeZone]));
  }

  async scheduleIds(): Promise<Set<string>> {
    return new Set((await this.db.prisma.workSchedule.findMany({ select: { id: true } })).map((s) => s.id));
  }

  /**
   * New employees and, from their start date, their own schedules, in one transaction: all of
   * them or none (the caller then tries them one by one). Prisma's P2002 for a NIP that exists.
   */
  async create(rows: readonly PlannedCreate[], by: string): Promise<void> {
    const p = this.db.prisma;
    const withSchedule = rows.filter((r) => r.scheduleId !== undefined);
    await p.$transaction([
      p.employee.createMany({
        data: rows.map((r) => ({
          nip: r.nip,
          name: r.name,
          kind: r.kind,
          unitId: r.unitId,
          active: r.active,
          startDate: r.startDate,
          endDate: r.endDate ?? null,
          endReason: r.endReason ?? null,
          siteId: r.siteId ?? null,
          superiorNip: r.superiorNip ?? null,
          positionClass: r.positionClass ?? null,
          baseAmount: r.baseAmount ?? null,
        })),
      }),
      p.scheduleAssignment.createMany({
        data: withSchedule.map((r) => ({
          id: randomUUID(),
          scheduleId: r.scheduleId as string,
          employeeId: r.nip,
          effectiveFrom: r.startDate,
          effectiveTo: null,
          createdBy: by,
        })),
      }),
    ]);
  }

  /** The employees of some units (undefined: all), as exported: today's values and own schedule. */
  async exportRows(
    unitIds: readonly string[] | undefined,
    todayAt: (siteId: string | null) => IsoDate,
  ): Promise<EmployeeCsvExportRow[]> {
    const rows = await this.db.prisma.employee.findMany({
      where: unitIds ? { unitId: { in: [...unitIds] } } : {},
      select: EMPLOYEE,
      orderBy: { nip: 'asc' },
    });
    const all = await this.db.prisma.scheduleAssignment.findMany({
      where: { employeeId: { not: null } },
      select: { employeeId: true, scheduleId: true, effectiveFrom: true, effectiveTo: true },
    });
    const own = byEmployee(all);
    return rows.map((r) => {
      const subject = { employeeId: r.nip, unitIds: [] };
      const scheduleId = resolveScheduleId(own.get(r.nip) ?? [], subject, todayAt(r.siteId), '');
      return { ...r, scheduleId: scheduleId === '' ? null : scheduleId };
    });
  }

  private async ownSchedules(nips: string[]): Promise<Map<string, ScheduleAssignment[]>> {
    const rows = await this.db.prisma.scheduleAssignment.findMany({
      where: { employeeId: { in: nips } },
      select: { employeeId: true, scheduleId: true, effectiveFrom: true, effectiveTo: true },
    });
    return byEmployee(rows);
  }
}

function byEmployee(rows: readonly OwnAssignment[]): Map<string, ScheduleAssignment[]> {
  const out = new Map<string, ScheduleAssignment[]>();
  for (const r of rows) {
    if (r.employeeId === null) continue;
    const list = out.get(r.employeeId) ?? [];
    list.push({
      scheduleId: r.scheduleId,
      target: { kind: 'Employee', employeeId: r.employeeId },
      effectiveFrom: r.effectiveFrom,
      effectiveTo: r.effectiveTo,
    });
    out.set(r.employeeId, list);
  }
  return out;
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}
